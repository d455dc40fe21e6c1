"""The demo tells one coherent story: languages and interpreters, levels and routes, households, forms of
address, no escalation that contradicts the case, a sanction awaiting the teamleider, a plan with several
goals across life domains; and loading it twice changes nothing."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from portal.auth.models import User
from portal.cases.models import Case
from portal.demo import load_demo
from portal.demo_people import PEOPLE
from portal.enforcement.models import EnforcementStep
from portal.extensions import db
from portal.plans.services import current_version
from portal.tasks.models import HumanTask
from portal.worker import fire_due_timers

#: What a learnability indication allows "B1 feasible" to be.
FEASIBLE = {"onder_a1": {"nee", "twijfel"}, "a1": {"nee", "twijfel"}, "a2": {"ja", "twijfel", "nee"},
            "b1": {"ja", "twijfel"}, "boven_b1": {"ja"}}
#: Adults in a household of each kind.
ADULTS = {"alleenstaand": 1, "alleenstaande_ouder": 1, "met_partner": 2, "met_partner_en_kinderen": 2}


def answers(tasks: list[HumanTask], bpmn_id: str) -> dict:
    done = [t for t in tasks if t.bpmn_id == bpmn_id and t.status == HumanTask.COMPLETED]
    return done[-1].submitted_data if done else {}


def conversations_in_the_newcomers_language_with_an_interpreter(demo):
    cases, tasks = demo
    held = 0
    for case in cases:
        for task in tasks[case.id]:
            conversation = (task.submitted_data or {}).get("gesprek") or {}
            if "gesproken_taal" in conversation:
                held += 1
                assert conversation["gesproken_taal"] == case.language, (case.first_name, task.bpmn_id)
                assert conversation.get("tolk") in {"telefonisch", "ter_plaatse"}, (case.first_name, task.bpmn_id)
    assert held >= 20


def levels_fit_feasibility_and_route(demo):
    cases, tasks = demo
    checked = 0
    for case in cases:
        test = answers(tasks[case.id], "intake_leerbaarheid").get("leerbaarheidstoets")
        if not test:
            continue
        checked += 1
        assert test["b1_haalbaar"] in FEASIBLE[test["indicatie_niveau"]], case.first_name
        version = current_version(case)
        if version is not None:
            route = version.content["leerroute"]["route"]
            assert route != "b1_route" or test["b1_haalbaar"] in {"ja", "twijfel"}, case.first_name
            assert route != "z_route" or test["b1_haalbaar"] == "nee", case.first_name
    assert checked >= 6


def households_agree_with_children_and_childcare(demo):
    cases, tasks = demo
    checked = 0
    for case in cases:
        family = answers(tasks[case.id], "intake_persoonlijke_omstandigheden").get("gezin")
        if not family:
            continue
        checked += 1
        children = family.get("aantal_kinderen") or 0
        assert ADULTS[family["huishouden"]] + children == case.household_size, case.first_name
        care = answers(tasks[case.id], "intake_leefgebieden").get("kinderopvang", {}).get("kinderopvang_nodig")
        assert care in (None, "ja" if children else "niet_van_toepassing"), case.first_name
        version = current_version(case)
        if version is not None:
            assert (version.content.get("randvoorwaarden") or {}).get("kinderopvang", "niet_nodig") == (
                "geregeld" if children else "niet_nodig"), case.first_name
    assert checked >= 4


def plans_address_the_newcomer_correctly(demo):
    cases, _tasks = demo
    plans = [(case, current_version(case)) for case in cases if current_version(case) is not None]
    assert {case.first_name for case, _v in plans} >= {"Amina", "Yusuf"}
    for case, version in plans:
        wrong = "mevrouw" if PEOPLE[case.v_number].title == "meneer" else "meneer"
        assert wrong not in version.rendered_text.lower(), case.first_name


def no_escalation_contradicts_the_case(demo):
    cases, tasks = demo
    for case in cases:
        started = any(t.bpmn_id == "kennismakingsgesprek" and t.status == HumanTask.COMPLETED
                      for t in tasks[case.id])
        escalated = any(t.bpmn_id == "escalatie_intake_niet_gestart" for t in tasks[case.id])
        assert not (started and escalated), case.first_name


def a_sanction_awaits_the_teamleider_and_a_plan_spans_domains(demo):
    cases, tasks = demo
    waiting = [t for case in cases for t in tasks[case.id]
               if t.bpmn_id == "handhaving_beoordelen" and t.status == HumanTask.OPEN]
    assert waiting and all(t.role == "teamleider" for t in waiting)
    assert db.session.scalar(select(func.count()).select_from(EnforcementStep)
                             .where(EnforcementStep.status == "voorgesteld")) >= 1
    domains = [{goal["leefgebied"] for goal in v.content["doelen"]}
               for v in (current_version(case) for case in cases) if v is not None]
    assert max(len(d) for d in domains) >= 3


def demo_logins_and_loading_twice(demo):
    cases, _tasks = demo
    usernames = set(db.session.scalars(select(User.username)))
    assert {"regisseur", "regisseur2", "regisseur3", "teamleider", "beheerder", "ontwerper", "amina",
            "yusuf"} <= usernames
    assert all(db.session.scalar(select(User.phone).where(User.username == name))
               for name in ("regisseur", "regisseur2", "regisseur3"))
    before = (len(cases), db.session.scalar(select(func.count()).select_from(HumanTask)))
    load_demo()
    assert (db.session.scalar(select(func.count()).select_from(Case)),
            db.session.scalar(select(func.count()).select_from(HumanTask))) == before


def test_the_demo_is_coherent(app):
    """One load of the demo (it takes a while), every check on it."""
    load_demo()
    fire_due_timers()  # what the worker would do right after: no timer may contradict the story
    cases = list(db.session.scalars(select(Case)))
    tasks = defaultdict(list)
    for task in db.session.scalars(select(HumanTask).order_by(HumanTask.id)):
        tasks[task.case_id].append(task)
    demo = (cases, tasks)
    for check in (conversations_in_the_newcomers_language_with_an_interpreter, levels_fit_feasibility_and_route,
                  households_agree_with_children_and_childcare, plans_address_the_newcomer_correctly,
                  no_escalation_contradicts_the_case, a_sanction_awaits_the_teamleider_and_a_plan_spans_domains,
                  demo_logins_and_loading_twice):
        check(demo)
