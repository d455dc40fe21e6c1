"""Escalations name the rule that fired, its deadline, how late, whose case; reassign and extend from them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.dates import LOCAL_ZONE, after_day, local_date, local_moment
from portal.extensions import db
from portal.processes.services import current_version, runtime_for
from portal.tasks.escalations import RULES, days_late, deadline_of
from portal.tasks.models import DeadlineExtension, HumanTask
from tests.conftest import csrf_token
from tests.factories import fire_next_timer, open_task, walk_intake


@pytest.fixture
def team(create_user):
    return create_user("ria"), create_user("rob"), create_user("tom", role="teamleider")


@pytest.fixture
def intake_escalation(team, create_case, clock):
    """Amina's intake did not start within 4 weeks of the koppeling (5 January): escalated 2 February 08:00."""
    ria, _rob, _tom = team
    case = create_case(ria)
    fire_next_timer(case, clock)
    return case, open_task(case, "escalatie_intake_niet_gestart")


def panel(html: str) -> dict[str, str]:
    section = html[html.index('<section class="escalation"'):html.index("</section>", html.index('class="escalation"'))]
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", re.sub(r"\s+", " ", section))
    return {label: re.sub(r"<[^>]+>", "", value).strip() for label, value in pairs}


def test_every_escalation_of_the_process_has_a_rule():
    tasks = runtime_for(current_version()).tasks
    escalations = {bpmn_id for bpmn_id, meta in tasks.items() if meta.get("form") == "escalatie_bespreken.json"}
    assert escalations and escalations <= set(RULES)
    for rule in RULES.values():
        assert rule.bpmn_id in tasks and set(rule.steps) <= set(tasks), rule.bpmn_id
    assert len({str(rule.title) for rule in RULES.values()}) == len(RULES)  # each says something of its own


def test_the_deadline_is_the_moment_the_timer_was_due(intake_escalation, clock):
    _case, escalation = intake_escalation
    assert escalation.origin_due_at == datetime(2026, 2, 2, 7, tzinfo=UTC)  # 4 weeks, 08:00 Dutch time
    assert deadline_of(escalation) == date(2026, 2, 2)
    assert days_late(escalation, date(2026, 2, 5)) == 3
    # a deadline "uiterlijk op" a day escalates at 00:00 after it (after_day): that day is the deadline
    escalation.origin_due_at = after_day(date(2026, 3, 16))
    assert deadline_of(escalation) == date(2026, 3, 16) and days_late(escalation, date(2026, 3, 17)) == 1


def test_intake_escalation_explains_itself(team, intake_escalation, login, clock):
    ria, _rob, tom = team
    case, escalation = intake_escalation
    clock.move_to(datetime(2026, 2, 5, 9, tzinfo=UTC))
    html = login(tom).get(f"/tasks/{escalation.id}").get_data(as_text=True)
    facts = panel(html)
    assert facts["Regel"] == "Brede intake niet gestart"
    assert facts["Termijn"] == "uiterlijk 2 feb 2026"
    assert facts["Hoe laat"] == "3 dagen te laat"
    assert facts["Regisseur"] == "Ria"
    assert facts["Open stappen"].startswith("Kennismakingsgesprek en startscenario")
    step = open_task(case, "kennismakingsgesprek")
    assert f'href="/tasks/{step.id}"' not in html  # the regisseur's step: named, not linked (403 for tom)
    assert "Een termijn is verstreken" not in html
    assert f'action="/tasks/{escalation.id}/reassign"' in html and f'action="/tasks/{escalation.id}/extend"' in html
    assert f'<option value="{team[1].id}">Rob</option>' in html and ">Ria</option>" not in html  # not to herself


def test_pip_escalation_names_its_rule_and_the_legal_deadline_stays(team, create_case, login, clock):
    ria, _rob, tom = team
    case = create_case(ria)
    walk_intake(case, ria)
    assert fire_next_timer(case, clock) == datetime(2026, 3, 16, 23, tzinfo=UTC)
    escalation = open_task(case, "escalatie_pip_te_laat")
    html = login(tom).get(f"/tasks/{escalation.id}").get_data(as_text=True)
    facts = panel(html)
    assert facts["Regel"] == "PIP niet binnen 10 weken vastgesteld"
    assert facts["Termijn"] == "uiterlijk 16 mrt 2026" and facts["Hoe laat"] == "1 dag te laat"
    assert "De wettelijke PIP-termijn verschuift niet" in html


def test_a_concern_escalation_offers_no_reassign_or_extension():
    rule = RULES["escalatie_zorg_te_laat"]
    assert rule.title == "Zorg niet beantwoord" and rule.actions == ()
    assert str(RULES["escalatie_gesprek_te_laat"].title) == "Voortgangsgesprek te laat"


def test_reassign_from_the_escalation_is_audited_and_stays_in_the_municipality(
        team, intake_escalation, create_user, login, clock):
    ria, rob, tom = team
    case, escalation = intake_escalation
    sanne = create_user("sanne", code="0355")
    client = login(tom)
    url = f"/tasks/{escalation.id}"
    refused = client.post(f"{url}/reassign", data={"reassign-csrf_token": csrf_token(client, url),
                                                   "reassign-regisseur": sanne.id, "reassign-reden": "Ziek"})
    assert refused.status_code == 422 and case.regisseur_id == ria.id
    to_herself = client.post(f"{url}/reassign", data={"reassign-csrf_token": csrf_token(client, url),
                                                      "reassign-regisseur": ria.id, "reassign-reden": "x"})
    assert to_herself.status_code == 422 and f'<option value="{ria.id}"' not in client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/reassign", data={"reassign-csrf_token": csrf_token(client, url),
                                                    "reassign-regisseur": rob.id, "reassign-reden": "Ria is ziek"})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(case)
    assert case.regisseur_id == rob.id
    assert open_task(case, "kennismakingsgesprek").assignee_id == rob.id
    assert open_task(case, "escalatie_intake_niet_gestart").is_open  # the discussion is still to be recorded
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.purpose == "tasks.escalation.reassign")).all()
    assert (event.user_id, event.case_id, event.detail) == (tom.id, case.id,
                                                            {"from": ria.id, "to": rob.id, "reason": "Ria is ziek"})
    assert "Het dossier is overgedragen aan Rob" in client.get(url).get_data(as_text=True)


def test_only_the_teamleider_reassigns_or_extends(team, intake_escalation, login):
    ria, rob, _tom = team
    _case, escalation = intake_escalation
    client = login(ria)
    token = csrf_token(client, "/account")
    assert client.post(f"/tasks/{escalation.id}/reassign", data={"csrf_token": token,
                                                                 "reassign-regisseur": rob.id}).status_code == 403
    assert client.post(f"/tasks/{escalation.id}/extend", data={"csrf_token": token}).status_code == 403


def test_extend_moves_the_deadline_and_records_why(team, intake_escalation, login, clock):
    ria, _rob, tom = team
    case, escalation = intake_escalation
    step = open_task(case, "kennismakingsgesprek")
    assert local_date(step.due_at) == date(2026, 1, 12)
    client = login(tom)
    url = f"/tasks/{escalation.id}"
    early = client.post(f"{url}/extend", data={"extend-csrf_token": csrf_token(client, url),
                                               "extend-nieuwe_termijn": "2026-01-01", "extend-reden": "x"})
    assert early.status_code == 422 and "Vul een datum in van" in early.get_data(as_text=True)
    response = client.post(f"{url}/extend", data={"extend-csrf_token": csrf_token(client, url),
                                                  "extend-nieuwe_termijn": "2026-02-20",
                                                  "extend-reden": "Tolk pas beschikbaar op 18 februari"})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(step)
    assert local_date(step.due_at) == date(2026, 2, 20)
    assert step.due_at == local_moment(date(2026, 2, 21), 0) - timedelta(seconds=1)  # the whole day counts
    [extension] = db.session.scalars(select(DeadlineExtension)).all()
    assert (extension.rule, extension.previous_due, extension.new_due, extension.task_ids, extension.created_by_id) == (
        "escalatie_intake_niet_gestart", date(2026, 1, 12), date(2026, 2, 20), [step.id], tom.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "tasks.escalation.extend"))
    assert event.detail["to"] == "2026-02-20" and event.detail["reason"] == "Tolk pas beschikbaar op 18 februari"
    assert "Tolk pas beschikbaar op 18 februari" in panel(client.get(url).get_data(as_text=True))["Termijn verschoven"]
    # the regisseur's worklist shows the new deadline
    worklist = login(ria, new_client=True).get("/tasks/").get_data(as_text=True)
    assert "uiterlijk 20 feb 2026" in worklist
    # not earlier than the deadline now in force
    again = client.post(f"{url}/extend", data={"extend-csrf_token": csrf_token(client, url),
                                               "extend-nieuwe_termijn": "2026-02-10", "extend-reden": "Toch eerder"})
    assert again.status_code == 422 and "Kies een datum na de huidige termijn" in again.get_data(as_text=True)


def test_actions_on_a_finished_escalation_are_404(team, intake_escalation, login, clock):
    from tests.factories import complete

    _ria, rob, tom = team
    case, escalation = intake_escalation
    complete(case, "escalatie_intake_niet_gestart", tom, oorzaak="capaciteit")
    client = login(tom)
    token = csrf_token(client, "/account")
    assert client.post(f"/tasks/{escalation.id}/reassign", data={"csrf_token": token,
                                                                 "reassign-regisseur": rob.id}).status_code == 404
    assert db.session.get(HumanTask, escalation.id).submitted_data["oorzaak"] == "capaciteit"
    assert "nieuwe_streefdatum" not in db.session.get(HumanTask, escalation.id).submitted_data


def test_local_zone_is_dutch():
    assert datetime(2026, 2, 2, 7, tzinfo=UTC).astimezone(LOCAL_ZONE).hour == 8
