"""The integration term is derived from the beschikking, not typed (issue 11, finding 2).

Wet inburgering 2021 art. 11: the term starts the day after the PIP is adopted and lasts three years;
art. 11(3): a changed plan does not move it; art. 12 / Besluit art. 4.3–4.4: DUO extends it, on a ground.
"""

from datetime import UTC, date, datetime

import pytest
import time_machine

from portal.extensions import db
from portal.plans.models import TermDecision
from portal.plans.services import current_version, plan_of, respond
from portal.plans.term import TermRefused, extend_term
from portal.processes.actions import ActionRefused
from portal.tasks.workflow import InvalidSubmission, complete_task
from tests.factories import PLAN, complete, open_steps, open_task, walk_intake, walk_to_signing


@pytest.fixture
def people(create_user):
    return create_user("ria"), create_user("amina", role="inburgeraar", password="amina-geheim-1")


def to_change(case, ria, amina) -> None:
    """The newcomer asks a question and the regisseur decides to change the plan: pip_opstellen is open."""
    respond(case, amina, current_version(case).id, "Kan het anders?")
    complete(case, "pip_ondertekenen", amina, besluit="vraag", bericht="Kan het anders?")
    complete(case, "pip_vraag_beantwoorden", ria, antwoord="We passen het plan aan.", vervolg="plan_aanpassen")


def test_the_term_starts_the_day_after_the_decision(create_case, people):
    ria, amina = people
    with time_machine.travel(datetime(2027, 5, 12, 9, tzinfo=UTC), tick=False):
        case = create_case(ria)
        walk_to_signing(case, ria, amina, decided_on="2027-05-10")
    plan = plan_of(case)
    assert (plan.pip_date, plan.term_start, plan.term_end) == (date(2027, 5, 10), date(2027, 5, 11),
                                                               date(2030, 5, 10))
    [start] = plan.term_decisions
    assert (start.kind, start.decided_on, start.term_end) == (TermDecision.START, date(2027, 5, 10), date(2030, 5, 10))
    assert "art. 11" in start.source
    assert case.pip_decided_on == date(2027, 5, 10)


def test_a_plan_date_of_2020_neither_sets_nor_moves_the_term(create_case, people):
    """The old form's free "Datum van het plan" is gone; a stray one in the data is dropped, not obeyed."""
    ria, amina = people
    with time_machine.travel(datetime(2027, 5, 12, 9, tzinfo=UTC), tick=False):
        case = create_case(ria)
        walk_to_signing(case, ria, amina, decided_on="2027-05-10", pip_datum="2020-01-15")
    plan = plan_of(case)
    assert plan.term_start == date(2027, 5, 11) and plan.term_end > date(2027, 5, 10)
    version = current_version(case)
    assert "pip_datum" not in version.content and "2020" not in version.rendered_text


def test_version_2_keeps_the_term(create_case, people):
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)  # decided 2026-03-01: term 2026-03-02 to 2029-03-01
    to_change(case, ria, amina)
    complete(case, "pip_opstellen", ria, **{**PLAN, "pip_datum": "2026-09-01"})
    complete(case, "pip_vaststellen", ria, besluitdatum="2026-09-01")
    plan = plan_of(case)
    assert current_version(case).number == 2
    assert (plan.pip_date, plan.term_start, plan.term_end) == (date(2026, 3, 1), date(2026, 3, 2), date(2029, 3, 1))
    assert [d.kind for d in plan.term_decisions] == [TermDecision.START]


def test_a_change_cannot_be_decided_before_the_plan_it_changes(create_case, people):
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    to_change(case, ria, amina)
    complete(case, "pip_opstellen", ria, **PLAN)
    with pytest.raises(ActionRefused, match="vóór de beschikking van versie 1"):
        complete(case, "pip_vaststellen", ria, besluitdatum="2026-02-01")
    assert open_steps(case) == ["pip_vaststellen"] and current_version(case).number == 1


def test_the_decision_form_explains_the_term_and_the_staff_page_shows_it(create_case, people, login):
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    db.session.commit()
    html = login(ria).get(f"/cases/{case.id}/plan/").get_data(as_text=True)
    assert "Inburgeringstermijn" in html and "02-03-2026" in html and "01-03-2029" in html
    assert "Beschikking van 01-03-2026" in html and "art. 11" in html


def test_an_extension_is_a_decision_with_a_ground(create_case, people):
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    plan = plan_of(case)
    with pytest.raises(TermRefused, match="grond"):
        extend_term(plan, date(2029, 9, 1), date(2029, 1, 10), None, "  ", ria)
    with pytest.raises(TermRefused, match="huidige einde"):
        extend_term(plan, date(2029, 2, 1), date(2029, 1, 10), "ziekte", None, ria)
    extend_term(plan, date(2029, 9, 1), date(2029, 1, 10), "ziekte", "Operatie en herstel in het najaar.", ria)
    assert plan.term_start == date(2026, 3, 2) and plan.term_end == date(2029, 9, 1)
    start, extension = plan.term_decisions
    assert (extension.kind, extension.previous_end, extension.reason_code) == (
        TermDecision.EXTENSION, date(2029, 3, 1), "ziekte")
    assert "art. 12" in extension.source


def test_duos_decision_on_an_extension_needs_its_ground(create_case, people, clock):
    """Through the process: the evaluation asks DUO, DUO's granted decision needs a ground (verlenging_besluit)."""
    from tests.factories import fire_next_timer, walk_to_progress
    from tests.progress.test_voortgang_process import meet, to_next_meeting

    ria, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, voortgang={"interval": "P6M"})
    for number in range(1, 6):  # half-yearly meetings with a climb at each: no stagnation
        to_next_meeting(case, clock, amina)
        meet(case, ria, rung=min(2 + number, 6))
    while "eindevaluatie" not in open_steps(case):  # the end of the term runs on its own branch and timer
        fire_next_timer(case, clock)
    complete(case, "eindevaluatie", ria, verlenging="aangevraagd")
    assert "verlenging_besluit" in open_steps(case)
    granted = {"besluit": "toegekend", "nieuwe_einddatum": "2029-09-01", "besluitdatum": "2029-01-20"}
    task = open_task(case, "verlenging_besluit")
    with pytest.raises(InvalidSubmission) as refused:
        complete_task(task.id, granted, ria)
    assert ("grond",) in [v.path for v in refused.value.violations]
    with pytest.raises(InvalidSubmission) as refused:  # "anders" needs the words
        complete_task(task.id, {**granted, "grond": "anders"}, ria)
    assert ("toelichting",) in [v.path for v in refused.value.violations]
    complete(case, "verlenging_besluit", ria, besluit="toegekend", nieuwe_einddatum="2029-09-01",
             besluitdatum="2029-01-20", grond="dakloosheid_opvang")
    plan = plan_of(case)
    assert plan.term_end == date(2029, 9, 1)
    extension = plan.term_decisions[-1]
    assert (extension.decided_on, extension.reason_code) == (date(2029, 1, 20), "dakloosheid_opvang")


def test_the_plan_form_has_no_plan_date(create_case, people, login):
    ria, _amina = people
    case = create_case(ria)
    walk_intake(case, ria)
    db.session.commit()
    html = login(ria).get(f"/tasks/{open_task(case, 'pip_opstellen').id}").get_data(as_text=True)
    assert "Datum van het plan" not in html and 'name="pip_datum"' not in html
