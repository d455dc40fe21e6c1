"""Issue 11, finding 8: the end of the term runs on its own timer, independent of the progress meetings.

Walked through the real voortgang process (a new process version: these cases start on it) with the frozen
clock: an overdue meeting escalates to the teamleider but never blocks the evaluation or the final report,
and the final report closes the case, withdrawing the meeting that never took place.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.db import local_today
from portal.extensions import db
from portal.tasks.models import HumanTask, WorkflowInstance
from tests.factories import complete, fire_next_timer, open_steps, walk_to_progress

HALF_YEARLY = {"voortgang": {"interval": "P6M"}}
REPORT = {"conclusie": "niet_voldaan", "trede": "3",
          "samenvatting": "De termijn is voorbij; de examens zijn nog niet gehaald. DUO beslist over het vervolg."}


def tasks(case, bpmn_id: str) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                           HumanTask.bpmn_id == bpmn_id)))


def fire_until(case, clock, step: str, limit: int = 10) -> None:
    for _ in range(limit):
        if step in open_steps(case):
            return
        fire_next_timer(case, clock)
    raise AssertionError(f"{step} never opened: {open_steps(case)}")


def test_an_overdue_meeting_does_not_block_the_evaluation_or_the_final_report(create_case, people, clock):
    ria, tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **HALF_YEARLY)  # term 2 March 2026 – 1 March 2029
    fire_until(case, clock, "escalatie_gesprek_te_laat")  # the first meeting was never held
    assert open_steps(case) == ["escalatie_gesprek_te_laat", "voortgangsgesprek"]
    complete(case, "escalatie_gesprek_te_laat", tom, day=local_today())  # discussed; still no meeting
    assert open_steps(case) == ["voortgangsgesprek"]
    fire_next_timer(case, clock)  # two months before the end, with the meeting still overdue
    assert local_today() == date(2029, 1, 1)
    assert open_steps(case) == ["eindevaluatie", "voortgangsgesprek"]
    complete(case, "eindevaluatie", ria, day=local_today(), verlenging="aangevraagd")
    assert open_steps(case) == ["verlenging_besluit", "voortgangsgesprek"]
    complete(case, "verlenging_besluit", ria, day=local_today(), besluit="afgewezen")
    fire_next_timer(case, clock)  # the end of the term
    assert local_today() == date(2029, 3, 1)
    assert open_steps(case) == ["eindverslag", "voortgangsgesprek"]
    complete(case, "eindverslag", ria, day=local_today(), **REPORT)
    assert open_steps(case) == [] and case.closed_at is not None
    assert db.session.scalar(select(WorkflowInstance.completed).where(WorkflowInstance.case_id == case.id))
    assert [t.status for t in tasks(case, "voortgangsgesprek")] == [HumanTask.CANCELLED]  # withdrawn, not done


def test_without_any_meeting_the_term_still_ends_with_a_final_report(create_case, people, clock):
    """Nothing is held after the plan: the teamleider is told, and the end still comes on its own dates."""
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **HALF_YEARLY)
    fire_until(case, clock, "eindevaluatie", limit=6)
    assert local_today() == date(2029, 1, 1) and "escalatie_gesprek_te_laat" in open_steps(case)
    complete(case, "eindevaluatie", ria, day=local_today(), verlenging="niet_nodig")
    fire_until(case, clock, "eindverslag")
    assert local_today() == date(2029, 3, 1)
    complete(case, "eindverslag", ria, day=local_today(), **REPORT)
    assert open_steps(case) == [] and case.closed_at is not None


def test_a_meeting_that_closes_the_trajectory_early_ends_the_term_branch_too(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **HALF_YEARLY)
    fire_until(case, clock, "voortgangsgesprek")
    complete(case, "voortgangsgesprek", ria, day=local_today(), participatie={"trede": "5"},
             afspraken={"vervolg": "afronden", "volgende_stappen": "Afronden.",
                        "samenvatting": "Je hebt alles gehaald; we ronden af."},
             aanwezigheid={"peildatum": local_today().isoformat(), "uren_aangeboden": 100, "uren_gevolgd": 95})
    assert open_steps(case) == ["eindverslag"]
    complete(case, "eindverslag", ria, day=local_today(), **{**REPORT, "conclusie": "voldaan"})
    assert case.closed_at is not None and open_steps(case) == []
    assert db.session.scalar(select(WorkflowInstance.next_timer_due).where(WorkflowInstance.case_id == case.id)) \
        is None  # the evaluation's timer is gone with it
