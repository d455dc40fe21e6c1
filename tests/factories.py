"""Helpers to walk cases through the real process in tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from portal.demo import sample_submission
from portal.extensions import db
from portal.tasks.models import HumanTask
from portal.tasks.workflow import complete_task, form_spec_for


def open_tasks(case) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                           HumanTask.status == HumanTask.OPEN)
                                   .order_by(HumanTask.id)))


def open_task(case, bpmn_id: str) -> HumanTask:
    """The case's open task at BPMN step ``bpmn_id``."""
    return next(t for t in open_tasks(case) if t.bpmn_id == bpmn_id)


#: The moment progress tests start their frozen clock, and a plan with quarterly meetings.
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
QUARTERLY = {"voortgang": {"interval": "P3M"}}


def open_steps(case) -> list[str]:
    return sorted(t.bpmn_id for t in open_tasks(case))


def complete(case, bpmn_id: str, user, day: date | None = None, **overrides) -> HumanTask:
    task = next(t for t in open_tasks(case) if t.bpmn_id == bpmn_id)
    data = sample_submission(form_spec_for(task), day or date(2026, 1, 12), overrides)
    return complete_task(task.id, data, user)


INTAKE_STEPS = ["kennismakingsgesprek", "intake_leerbaarheid", "intake_opleiding_werk",
                "intake_persoonlijke_omstandigheden", "intake_leefgebieden", "participatieladder_intake",
                "intake_samenvatting"]

PLAN = {
    "leerroute": {"route": "b1_route", "looptijd_maanden": 36,
                  "motivering": "De leerbaarheidstoets wijst B1 als haalbaar aan en de onderwijsroute is besproken."},
    "doelen": [{"leefgebied": "taal_en_leerbaarheid", "doel": "B1 halen", "actie": "Taalles", "wie": "taalschool"}],
}
#: The date of the first beschikking in :func:`walk_to_signing`: the term runs 2026-03-02 to 2029-03-01.
DECIDED_ON = "2026-03-01"


def walk_intake(case, user) -> None:
    for step in INTAKE_STEPS:
        complete(case, step, user)


def walk_to_signing(case, regisseur, newcomer=None, decided_on: str = DECIDED_ON, **plan_overrides) -> None:
    """Intake done, plan drafted and decided (beschikking dated ``decided_on``): the newcomer's signing task is
    open."""
    if newcomer is not None:
        case.newcomer_user_id = newcomer.id
    walk_intake(case, regisseur)
    complete(case, "pip_opstellen", regisseur, **{**PLAN, **plan_overrides})
    complete(case, "pip_vaststellen", regisseur, besluitdatum=decided_on)
    produce_documents()


def produce_documents() -> int:
    """Let the worker render and seal the queued PDFs, as it would after a decision or a signature."""
    from portal.worker import produce_due_documents

    return produce_due_documents()


def sign_plan(case, newcomer) -> None:
    """The newcomer signs the plan in force and the signing step completes (the PIP process ends)."""
    from portal.plans.services import SignRequest, current_version, sign

    produce_documents()  # the worker has made the plan's PDF by the time she reads it
    sign(case, newcomer, SignRequest(version_id=current_version(case).id, typed_name=case.full_name,
                                     password="amina-geheim-1", consent=True, locale="ar"))
    task = next(t for t in open_tasks(case) if t.bpmn_id == "pip_ondertekenen")
    complete_task(task.id, {"besluit": "akkoord"}, newcomer)


def walk_to_progress(case, regisseur, newcomer, **plan_overrides) -> None:
    """Intake, plan decided and signed: the case waits for its first self-assessment."""
    walk_to_signing(case, regisseur, newcomer, **plan_overrides)
    sign_plan(case, newcomer)


def next_timer(case):
    from portal.tasks.models import WorkflowInstance

    return db.session.scalar(select(WorkflowInstance.next_timer_due).where(WorkflowInstance.case_id == case.id))


def fire_next_timer(case, clock):
    """Move the frozen clock (a ``time_machine`` traveller) to one second after the case's next timer
    and let the timer worker fire it; SpiffWorkflow fires a timer only once its moment has passed."""
    from datetime import UTC, datetime, timedelta

    from portal.tasks.workflow import advance_case

    due = next_timer(case)
    assert due is not None, "the case waits for no timer"
    clock.move_to(due + timedelta(seconds=1))
    advance_case(case, datetime.now(UTC))
    return due


def hold_next_meeting(case, regisseur, newcomer, clock, **overrides) -> HumanTask:
    """Fire the timer to the next meeting, let the newcomer fill in her self-assessment, hold the meeting."""
    from portal.db import local_today

    fire_next_timer(case, clock)
    complete(case, "zelfbeoordeling", newcomer, day=local_today())
    return complete(case, "voortgangsgesprek", regisseur, day=local_today(), **overrides)


def progress_section(html: str) -> str:
    """The "Voortgang" section of a staff case page."""
    start = html.index('aria-labelledby="voortgang"')
    return html[start:html.index("</section>", start)]
