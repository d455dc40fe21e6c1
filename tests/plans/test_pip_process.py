"""The PIP from drafting to signature: versions, the fixed integration term, questions, re-signing."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from portal.plans.models import PlanDocument, PlanVersion
from portal.plans.services import SigningRefused, SignRequest, current_version, plan_of, respond, sign
from portal.processes.actions import ActionRefused
from portal.tasks.workflow import advance_due_instance, complete_task
from tests.factories import PLAN, complete, open_steps, open_tasks, produce_documents, walk_to_signing


@pytest.fixture
def people(create_user):
    return create_user("ria"), create_user("amina", role="inburgeraar", password="amina-geheim-1")


def sign_request(case, password="amina-geheim-1", **kw):
    return SignRequest(version_id=current_version(case).id, typed_name=kw.pop("typed_name", "amina  HADDAD"),
                       password=password, consent=kw.pop("consent", True), locale="ar", **kw)


#: A birth date that makes the newcomer 21 on the plan date (2026-03-01): the onderwijsroute fits.
YOUNG = date(2004, 5, 1)


def newcomer_task(case):
    return next(t for t in open_tasks(case) if t.bpmn_id == "pip_ondertekenen")


def test_decided_plan_fixes_the_term_and_makes_sealed_documents(create_case, people):
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    plan = plan_of(case)
    assert plan.pip_date == date(2026, 3, 1)
    assert (plan.term_start, plan.term_end) == (date(2026, 3, 2), date(2029, 3, 1))
    version = current_version(case)
    assert version.status == PlanVersion.DECIDED and len(version.sha256) == 64
    assert "B1-route" in version.rendered_text
    assert {d.kind for d in version.documents} == {PlanDocument.DECISION, PlanDocument.PLAN}
    assert case.pip_decided_on == date(2026, 3, 1)
    task = newcomer_task(case)
    assert task.role == "inburgeraar" and task.assignee_id == amina.id


def test_signing_completes_the_pip_and_waits_for_progress(create_case, people):
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    signature = sign(case, amina, sign_request(case))
    complete_task(newcomer_task(case).id, {"besluit": "akkoord"}, amina)
    assert signature.name_matches  # case, spaces and capitals do not matter
    assert signature.version_sha256 == current_version(case).sha256
    assert open_steps(case) == []
    assert case.stage == "timer_zelfbeoordeling"
    kinds = [d.kind for d in current_version(case).documents]
    assert PlanDocument.SIGNED_COPY in kinds


@pytest.mark.parametrize(("change", "reason"), [
    ({"password": "fout"}, "wachtwoord"),
    ({"consent": False}, "Vink aan"),
])
def test_signature_refused_changes_nothing(create_case, people, change, reason):
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    with pytest.raises(SigningRefused, match=reason):
        sign(case, amina, sign_request(case, **change))
    assert current_version(case).signatures == []
    assert open_steps(case) == ["pip_ondertekenen"]


def test_double_signature_is_refused(create_case, people):
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    sign(case, amina, sign_request(case))
    with pytest.raises(SigningRefused, match="al ondertekend"):
        sign(case, amina, sign_request(case))


def test_completing_the_signing_task_without_a_signature_is_refused(create_case, people):
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    with pytest.raises(ActionRefused):
        complete_task(newcomer_task(case).id, {"besluit": "akkoord"}, amina)


def test_question_then_plan_change_needs_a_new_signature(create_case, people):
    ria, amina = people
    case = create_case(ria)
    case.birth_date = YOUNG  # the new version gives the onderwijsroute
    walk_to_signing(case, ria, amina)
    first = current_version(case)
    respond(case, amina, first.id, "Ik wil liever eerst werken.")
    complete_task(newcomer_task(case).id, {"besluit": "vraag", "bericht": "Ik wil liever eerst werken."}, amina)
    assert open_steps(case) == ["pip_vraag_beantwoorden"]
    complete(case, "pip_vraag_beantwoorden", ria, antwoord="We passen het plan aan.", vervolg="plan_aanpassen")
    assert open_steps(case) == ["pip_opstellen"]
    complete(case, "pip_opstellen", ria, **{**PLAN, "leerroute": {**PLAN["leerroute"], "route": "onderwijsroute"}})
    complete(case, "pip_vaststellen", ria, besluitdatum="2026-05-02")
    second = current_version(case)
    assert second.number == 2 and second.sha256 != first.sha256
    assert first.status == PlanVersion.SUPERSEDED
    assert plan_of(case).term_start == date(2026, 3, 2)  # the term never moves
    produce_documents()
    with pytest.raises(SigningRefused, match="gewijzigd"):  # signing the old version is refused
        sign(case, amina, SignRequest(version_id=first.id, typed_name="Amina Haddad", password="amina-geheim-1",
                                      consent=True, locale="ar"))
    sign(case, amina, sign_request(case))
    complete_task(newcomer_task(case).id, {"besluit": "akkoord"}, amina)
    assert case.stage == "timer_zelfbeoordeling"


def test_question_answered_then_signed_again(create_case, people):
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    respond(case, amina, current_version(case).id, "Wat betekent ontzorgen?")
    complete_task(newcomer_task(case).id, {"besluit": "vraag", "bericht": "Wat betekent ontzorgen?"}, amina)
    complete(case, "pip_vraag_beantwoorden", ria, antwoord="Uitgelegd aan de telefoon.", vervolg="uitleg_gegeven")
    assert open_steps(case) == ["pip_ondertekenen"]
    assert current_version(case).number == 1


def test_reminder_after_14_days_then_withdrawn_on_signing(create_case, people):
    ria, amina = people
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False):
        case = create_case(ria)
        walk_to_signing(case, ria, amina)
    with time_machine.travel(datetime(2026, 3, 17, 9, tzinfo=UTC), tick=False):
        advance_due_instance(datetime.now(UTC))
        assert open_steps(case) == ["pip_ondertekenen", "pip_ondertekening_opvolgen"]
        sign(case, amina, sign_request(case))
        complete_task(newcomer_task(case).id, {"besluit": "akkoord"}, amina)
    assert open_steps(case) == []


def test_ontzorgen_for_less_than_six_months_is_refused(create_case, people):
    from portal.tasks.workflow import InvalidSubmission

    ria, _amina = people
    case = create_case(ria)
    from tests.factories import walk_intake

    walk_intake(case, ria)
    with pytest.raises(InvalidSubmission) as refused:
        complete(case, "pip_opstellen", ria, **{**PLAN, "ontzorgen": {"van_toepassing": True, "duur_maanden": 3,
                                                                       "kosten": ["huur"]}})
    assert [(v.path, v.rule) for v in refused.value.violations] == [(("ontzorgen", "duur_maanden"), "minimum")]


def test_answer_closes_the_newcomers_question(create_case, people):
    from portal.plans.services import open_response

    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    respond(case, amina, current_version(case).id, "Wat is PVT?")
    complete_task(newcomer_task(case).id, {"besluit": "vraag", "bericht": "Wat is PVT?"}, amina)
    assert open_response(case) is not None
    complete(case, "pip_vraag_beantwoorden", ria, antwoord="Het participatieverklaringstraject.",
             vervolg="uitleg_gegeven")
    assert open_response(case) is None


@pytest.mark.parametrize(("route", "hours", "refused"), [("b1_route", 20, True), ("z_route", 39, True),
                                                         ("b1_route", 40, False), ("onderwijsroute", 0, False)])
def test_map_needs_40_practice_hours_on_the_b1_and_z_route(create_case, people, route, hours, refused):
    from portal.tasks.workflow import InvalidSubmission
    from tests.factories import walk_intake

    ria, _amina = people
    case = create_case(ria)
    case.birth_date = YOUNG  # the onderwijsroute's age limit is tested below
    walk_intake(case, ria)
    plan = {**PLAN, "leerroute": {**PLAN["leerroute"], "route": route},
            "map_pvt": {"map_uren": hours, "pvt_periode": "Eerste half jaar"}}
    if refused:
        with pytest.raises(InvalidSubmission) as error:
            complete(case, "pip_opstellen", ria, **plan)
        assert [(v.path, v.rule) for v in error.value.violations] == [(("map_pvt", "map_uren"), "minimum")]
    else:
        complete(case, "pip_opstellen", ria, **plan)
        assert open_steps(case) == ["pip_vaststellen"]


def test_a_plan_decided_on_28_february_2028_starts_its_term_on_the_leap_day(create_case, people):
    """The term starts the day after the beschikking; 2028-02-29 + 3 years has no 29 February (issue 11, 1)."""
    ria, amina = people
    with time_machine.travel(datetime(2028, 2, 28, 10, tzinfo=UTC), tick=False):
        case = create_case(ria)
        walk_to_signing(case, ria, amina, decided_on="2028-02-28")
    plan = plan_of(case)
    assert (plan.term_start, plan.term_end) == (date(2028, 2, 29), date(2031, 2, 28))


ONDERWIJSROUTE = {"route": "onderwijsroute", "looptijd_maanden": 18,
                  "motivering": "Hbo-vooropleiding in Syrië; de leerbaarheidstoets wijst B1 en hoger als haalbaar aan."}
EXCEPTION = "Toegelaten tot de schakelklas van de hogeschool in september; het diploma uit Syrië is erkend."


@pytest.mark.parametrize(("born", "needs_reason"), [
    (date(1998, 3, 2), False),  # 27 on the day the plan is drafted (2026-03-01)
    (date(1998, 3, 1), True),  # 28 that day
    (date(1990, 1, 10), True),  # 36
])
@time_machine.travel(datetime(2026, 3, 1, 10, tzinfo=UTC), tick=False)
def test_the_onderwijsroute_above_28_needs_a_recorded_reason(create_case, people, born, needs_reason):
    """Finding 5: the onderwijsroute is meant for newcomers up to 28 (DOMAIN.md §2.2); an older newcomer gets
    it only with the reason for the exception recorded, and that reason is part of the plan."""
    from tests.factories import walk_intake

    ria, _amina = people
    case = create_case(ria)
    case.birth_date = born
    walk_intake(case, ria)
    if needs_reason:
        with pytest.raises(ActionRefused, match="tot 28 jaar") as refused:
            complete(case, "pip_opstellen", ria, **{**PLAN, "leerroute": ONDERWIJSROUTE})
        assert "Reden voor de onderwijsroute boven de leeftijdsgrens" in refused.value.reason
        assert open_steps(case) == ["pip_opstellen"] and plan_of(case) is None
        with pytest.raises(ActionRefused, match="tot 28 jaar"):  # blank is no reason
            complete(case, "pip_opstellen", ria, **{**PLAN, "leerroute": {**ONDERWIJSROUTE,
                                                                          "uitzondering_leeftijd": " " * 45}})
        complete(case, "pip_opstellen", ria, **{**PLAN, "leerroute": {**ONDERWIJSROUTE,
                                                                      "uitzondering_leeftijd": EXCEPTION}})
        text = plan_of(case).versions[-1].rendered_text
        assert f"Reden voor de onderwijsroute boven de leeftijdsgrens: {EXCEPTION}" in text
    else:
        complete(case, "pip_opstellen", ria, **{**PLAN, "leerroute": ONDERWIJSROUTE})
    assert open_steps(case) == ["pip_vaststellen"]


def test_a_refused_onderwijsroute_answers_422_with_the_reason(create_case, people, login):
    from tests.conftest import csrf_token
    from tests.factories import walk_intake

    ria, _amina = people
    case = create_case(ria)
    case.birth_date = date(1990, 1, 10)
    walk_intake(case, ria)
    task = next(t for t in open_tasks(case) if t.bpmn_id == "pip_opstellen")
    client = login(ria)
    url = f"/tasks/{task.id}"
    form = {"csrf_token": csrf_token(client, url), "leerroute-route": "onderwijsroute",
            "leerroute-motivering": ONDERWIJSROUTE["motivering"], "leerroute-looptijd_maanden": "18",
            "map_pvt-pvt_periode": "Eerste half jaar", "begeleiding-begeleiding": "Regisseur elke maand.",
            "doelen-0-leefgebied": "taal_en_leerbaarheid", "doelen-0-doel": "B1 halen", "doelen-0-actie": "Taalles",
            "doelen-0-wie": "taalschool", "voortgang-interval": "P3M"}
    response = client.post(url, data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "bedoeld voor inburgeraars tot 28 jaar" in html
    assert ONDERWIJSROUTE["motivering"] in html  # nothing typed is lost
    response = client.post(url, data={**form, "leerroute-uitzondering_leeftijd": EXCEPTION})
    assert response.status_code == 302
    assert open_steps(case) == ["pip_vaststellen"]
