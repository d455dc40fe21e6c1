"""Staff views of the progress record: the case page's "Voortgang" section and the task-page context
of the teamleider's concern and enforcement tasks."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from flask import g
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.concerns.services import raise_concern
from portal.db import local_today
from portal.extensions import db
from portal.processes.services import current_version, runtime_for
from portal.progress import labels
from tests.conftest import ROOT
from tests.factories import complete, fire_next_timer, open_tasks, walk_to_progress

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
NOTE = "Huurachterstand; slaapt slecht door de zorgen."


@pytest.fixture
def people(create_user):
    return (create_user("ria"), create_user("tom", role="teamleider"),
            create_user("amina", role="inburgeraar", password="amina-geheim-1"))


def hold_meeting(case, regisseur, newcomer, clock, **overrides):
    """Fire the timer to the next meeting, let the newcomer fill in her self-assessment, hold the meeting."""
    fire_next_timer(case, clock)
    complete(case, "zelfbeoordeling", newcomer, day=local_today())
    return complete(case, "voortgangsgesprek", regisseur, day=local_today(), **overrides)


@pytest.fixture
def case_with_meeting(create_case, people):
    """A case in the progress loop with one meeting that signalled debts, with free text about them.

    The clock stays frozen on the meeting's day for the whole test."""
    ria, _tom, amina = people
    with time_machine.travel(START, tick=False) as clock:
        case = create_case(ria)
        walk_to_progress(case, ria, amina)
        hold_meeting(case, ria, amina, clock, participatie={"trede": "3"},
                     aanwezigheid={"peildatum": local_today().isoformat(), "uren_aangeboden": 120,
                                   "uren_gevolgd": 60, "verzuim_ongeoorloofd": 14},
                     signalen={"leefgebieden": ["schulden"], "toelichting": NOTE})
        yield case


def section(html: str) -> str:
    """The "Voortgang" section of a case page."""
    start = html.index('aria-labelledby="voortgang"')
    return html[start:html.index("</section>", start)]


def health_reads(case) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.case_id == case.id, AuditEvent.subject == "case.health", AuditEvent.action == "read"))


def test_case_page_shows_ladder_history_and_meetings(case_with_meeting, people, login):
    ria, _tom, _amina = people
    html = section(login(ria).get(f"/cases/{case_with_meeting.id}").get_data(as_text=True))
    assert "Participatieladder" in html and "Voortgangsgesprekken" in html
    assert "Brede intake" in html and "Voortgangsgesprek 1" in html  # the ladder: intake rung, then the meeting
    assert "3. Deelname aan georganiseerde activiteiten" in html
    assert 'class="ladder-bar ladder-bar--3" aria-hidden="true"' in html
    assert "60 van 120 uur (50%)" in html and "14 uur" in html  # attendance and unexcused absence
    assert "Schulden of geldzorgen" in html
    assert "Stagnatie" in html and "Aanwezigheid onder de norm" in html  # 50% is below the norm
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html


def test_regisseur_sees_the_signals_note_and_the_read_is_audited(case_with_meeting, people, login, app):
    from portal.casefile.progress import progress_overview

    ria, _tom, _amina = people
    html = section(login(ria).get(f"/cases/{case_with_meeting.id}").get_data(as_text=True))
    assert NOTE in html and "Gevoelig gegeven" in html
    # the section's own read is audited, not only the domain lists' (portal.cases.dossier) on the same page
    with app.test_request_context():  # a read in a request is kept aside, stored whatever the request's outcome
        overview = progress_overview(case_with_meeting, ria)
        kept = [event for event in g.portal_kept_events if event.subject == "case.health"]
    assert overview.meetings[0].signal_note.value == NOTE
    assert len(kept) == 1 and kept[0].case_id == case_with_meeting.id


def test_teamleider_sees_the_section_but_not_the_signals_note(case_with_meeting, people, login, app):
    from portal.casefile.progress import progress_overview

    _ria, tom, _amina = people
    html = login(tom).get(f"/cases/{case_with_meeting.id}").get_data(as_text=True)
    assert "Voortgangsgesprekken" in section(html) and "Schulden of geldzorgen" in section(html)
    assert "Toelichting afgeschermd" in section(html)
    assert NOTE not in html  # nowhere on the page
    assert health_reads(case_with_meeting) == 0
    with app.test_request_context():
        note = progress_overview(case_with_meeting, tom).meetings[0].signal_note
    assert note.hidden and note.value is None and health_reads(case_with_meeting) == 0


def test_meetings_table_is_paginated(create_case, people, login):
    ria, _tom, amina = people
    with time_machine.travel(START, tick=False) as clock:
        case = create_case(ria)
        walk_to_progress(case, ria, amina, voortgang={"interval": "P3M"})
        for number in range(1, 7):  # PAGE_SIZE is 5 in the tests; a climb every time: no stagnation
            hold_meeting(case, ria, amina, clock, participatie={"trede": str(min(1 + number, 6))})
    client = login(ria)
    first = section(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "Pagina 1 van 2" in first and "#voortgangsgesprekken" in first
    assert "Voortgangsgesprek 6" in first  # the ladder history is not paginated
    second = section(client.get(f"/cases/{case.id}?page=2").get_data(as_text=True))
    assert "Pagina 2 van 2" in second


def test_concern_shows_on_the_case_page_and_on_the_teamleiders_task(create_case, people, login):
    ria, tom, amina = people
    with time_machine.travel(START, tick=False):
        case = create_case(ria)
        walk_to_progress(case, ria, amina)
        raise_concern(case, amina, "geen_school", "Er is nog steeds geen taalschool.")
    task = next(t for t in open_tasks(case) if t.bpmn_id == "zorg_behandelen")
    client = login(tom)
    page = client.get(f"/tasks/{task.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Gemelde zorg" in html and "Er is nog steeds geen taalschool." in html
    assert "Nog geen taalschool of cursus" in html  # the category
    assert html.index("Gemelde zorg") < html.index("portal-form\"")  # above the task form
    case_page = section(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "Zorgen van de inburgeraar" in case_page and "Nog geen taalschool of cursus" in case_page


def test_enforcement_review_shows_the_rung_the_portal_computed(create_case, people, login):
    ria, tom, amina = people
    with time_machine.travel(START, tick=False) as clock:
        case = create_case(ria)
        walk_to_progress(case, ria, amina)
        hold_meeting(case, ria, amina, clock, medewerking={
            "oordeel": "verwijtbaar",
            "verwijtbaar_toelichting": "Drie lessen per week gemist zonder bericht, ondanks afspraken."})
        complete(case, "handhaving_voorstel", ria, maatregel="boete", bedrag=300,
                 verwijtbaarheid="Drie lessen per week gemist zonder bericht, ondanks afspraken.",
                 ondersteuning="Gesprek met de taalschool en een taalmaatje aangeboden.")
    task = next(t for t in open_tasks(case) if t.bpmn_id == "handhaving_beoordelen")
    client = login(tom)
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Voorstel volgens het portaal" in html and "PIP (art. 23 Wi2021)" in html and "Stap 1" in html
    assert "€ 300" in html
    case_page = section(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "Handhaving" in case_page and "Voorgesteld" in case_page and "Ria op" in case_page


def test_other_municipalities_get_404(case_with_meeting, people, create_user, login):
    _ria, _tom, amina = people
    concern = raise_concern(case_with_meeting, amina, "hulp_nodig", "Ik begrijp de brief van DUO niet.")
    other = create_user("olga", code="0363")
    other_lead = create_user("otto", role="teamleider", code="0363")
    assert login(other).get(f"/cases/{case_with_meeting.id}").status_code == 404
    response = login(other_lead, new_client=True).get(f"/tasks/{concern.human_task_id}")
    assert response.status_code == 404
    assert "Ik begrijp de brief" not in response.get_data(as_text=True)


@pytest.mark.parametrize("where", [
    labels.MAP_STATUS, labels.PVT_STATUS, labels.SIGNAL_DOMAINS, labels.COOPERATION, labels.SUPPORT,
    labels.CONFERENCE_OUTCOMES, labels.EVALUATION_EXTENSION, labels.EXTENSION_DECISIONS, labels.CONCLUSIONS,
    labels.ENFORCEMENT_MEASURES, labels.LADDER, labels.FINAL_LADDER, labels.GOAL_STATUS, labels.EXAM_PART,
    labels.EXAM_RESULT,
])
def test_staff_labels_match_the_forms(app, where):
    """Every stored code reads as the title its form gave it (the words come from the deployed form)."""
    form, path = where
    schema = json.loads((ROOT / "workflows" / "forms" / f"{form}.json").read_text(encoding="utf-8"))
    node = schema
    for name in path.split("."):
        node = node["properties"][name] if "properties" in node else node["items"]["properties"][name]
    options = node.get("oneOf") or node["items"]["oneOf"]
    with app.test_request_context():
        words = labels.Words(runtime_for(current_version()))
        assert {o["const"]: words(where, o["const"]) for o in options} == {o["const"]: o["title"] for o in options}


def test_form_titles_of_follow_ups_match_the_forms(app):
    with app.test_request_context():
        words = labels.Words(runtime_for(current_version()))
        for kind, form in labels.FOLLOW_UP_TASKS.items():
            schema = json.loads((ROOT / "workflows" / "forms" / f"{form}.json").read_text(encoding="utf-8"))
            assert words.task_title(form) == schema["title"], kind


def test_a_health_signal_is_masked_for_the_teamleider(create_case, people, login):
    ria, tom, amina = people
    with time_machine.travel(START, tick=False) as clock:
        case = create_case(ria)
        walk_to_progress(case, ria, amina)
        hold_meeting(case, ria, amina, clock, signalen={"leefgebieden": ["gezondheid", "schulden"]})
    lead = section(login(tom).get(f"/cases/{case.id}").get_data(as_text=True))
    assert "Afgeschermd signaal" in lead and "Schulden of geldzorgen" in lead and "Gezondheid" not in lead
    own = section(login(ria, new_client=True).get(f"/cases/{case.id}").get_data(as_text=True))
    assert "Gezondheid" in own and "Afgeschermd signaal" not in own
