"""The case page's "Voortgang" section: the ladder history, the meetings, signals and who may read them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from flask import g
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.concerns.services import raise_concern
from portal.db import local_today
from portal.extensions import db
from tests.factories import hold_next_meeting, progress_section, walk_to_progress

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
NOTE = "Huurachterstand; slaapt slecht door de zorgen."


@pytest.fixture
def people(create_user):
    return (create_user("ria"), create_user("tom", role="teamleider"),
            create_user("amina", role="inburgeraar", password="amina-geheim-1"))


@pytest.fixture
def case_with_meeting(create_case, people):
    """A case in the progress loop with one meeting that signalled debts, with free text about them.

    The clock stays frozen on the meeting's day for the whole test."""
    ria, _tom, amina = people
    with time_machine.travel(START, tick=False) as clock:
        case = create_case(ria)
        walk_to_progress(case, ria, amina)
        hold_next_meeting(case, ria, amina, clock, participatie={"trede": "3"},
                          aanwezigheid={"peildatum": local_today().isoformat(), "uren_aangeboden": 120,
                                        "uren_gevolgd": 60, "verzuim_ongeoorloofd": 14},
                          signalen={"leefgebieden": ["schulden"], "toelichting": NOTE})
        yield case


def health_reads(case) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.case_id == case.id, AuditEvent.subject == "case.health", AuditEvent.action == "read"))


def test_case_page_shows_ladder_history_and_meetings(case_with_meeting, people, login):
    ria, _tom, _amina = people
    html = progress_section(login(ria).get(f"/cases/{case_with_meeting.id}").get_data(as_text=True))
    assert "Participatieladder" in html and "Voortgangsgesprekken" in html
    assert "Brede intake" in html and "Voortgangsgesprek 1" in html  # the ladder: intake rung, then the meeting
    assert "3. Deelname aan georganiseerde activiteiten" in html
    assert 'class="ladder-bar ladder-bar--3" aria-hidden="true"' in html
    assert "60 van 120 uur (50%)" in html and "14 uur" in html  # attendance and unexcused absence
    assert "Schulden of geldzorgen" in html
    assert '<span class="tag tag--warning">Stagnatie</span>' in html  # the mark, not the column heading
    assert "<li>Aanwezigheid onder de norm</li>" in html  # 50% is below the norm
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html


def test_regisseur_sees_the_signals_note_and_the_read_is_audited(case_with_meeting, people, login, app):
    from portal.casefile.progress import progress_overview

    ria, _tom, _amina = people
    html = progress_section(login(ria).get(f"/cases/{case_with_meeting.id}").get_data(as_text=True))
    assert NOTE in html and "Gevoelig gegeven" in html
    # the section's own read is audited, not only the domain lists' (portal.casefile.reading) on the same page
    with app.test_request_context():  # a read in a request is kept aside, stored whatever the request's outcome
        overview = progress_overview(case_with_meeting, ria)
        kept = [event for event in g.portal_kept_events if event.subject == "case.health"]
    assert overview.meetings[0].signal_note.value == NOTE
    assert len(kept) == 1 and kept[0].case_id == case_with_meeting.id


def test_teamleider_sees_the_section_but_not_the_signals_note(case_with_meeting, people, login, app):
    from portal.casefile.progress import progress_overview

    _ria, tom, _amina = people
    html = login(tom).get(f"/cases/{case_with_meeting.id}").get_data(as_text=True)
    assert "Voortgangsgesprekken" in progress_section(html) and "Schulden of geldzorgen" in progress_section(html)
    assert "Toelichting afgeschermd" in progress_section(html)
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
            hold_next_meeting(case, ria, amina, clock, participatie={"trede": str(min(1 + number, 6))})
    client = login(ria)
    first = progress_section(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "Pagina 1 van 2" in first and "#voortgangsgesprekken" in first
    assert "Voortgangsgesprek 6" in first  # the ladder history is not paginated
    second = progress_section(client.get(f"/cases/{case.id}?page=2").get_data(as_text=True))
    assert "Pagina 2 van 2" in second


def test_other_municipalities_get_404(case_with_meeting, people, create_user, login):
    _ria, _tom, amina = people
    concern = raise_concern(case_with_meeting, amina, "hulp_nodig", "Ik begrijp de brief van DUO niet.")
    other = create_user("olga", code="0363")
    other_lead = create_user("otto", role="teamleider", code="0363")
    assert login(other).get(f"/cases/{case_with_meeting.id}").status_code == 404
    response = login(other_lead, new_client=True).get(f"/tasks/{concern.human_task_id}")
    assert response.status_code == 404
    assert "Ik begrijp de brief" not in response.get_data(as_text=True)


def test_a_health_signal_is_masked_for_the_teamleider(create_case, people, login):
    ria, tom, amina = people
    with time_machine.travel(START, tick=False) as clock:
        case = create_case(ria)
        walk_to_progress(case, ria, amina)
        hold_next_meeting(case, ria, amina, clock, signalen={"leefgebieden": ["gezondheid", "schulden"]})
    lead = progress_section(login(tom).get(f"/cases/{case.id}").get_data(as_text=True))
    assert "Afgeschermd signaal" in lead and "Schulden of geldzorgen" in lead and "Gezondheid" not in lead
    own = progress_section(login(ria, new_client=True).get(f"/cases/{case.id}").get_data(as_text=True))
    assert "Gezondheid" in own and "Afgeschermd signaal" not in own
