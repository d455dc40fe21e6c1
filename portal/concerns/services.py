"""Mutual obligations (wederkerigheid): the newcomer holds the municipality to its side of the plan.

A concern signals the case's process (``zorg_gemeld``), which gives the teamleider a task with a
deadline; the newcomer sees the status and, once given, the answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from portal import dates
from portal.audit.services import record
from portal.auth.models import User
from portal.cases.models import Case
from portal.cases.services import lock_case
from portal.concerns.models import Concern
from portal.db import utcnow
from portal.extensions import db
from portal.processes.diagram import signal, user_task
from portal.refusal import Refused
from portal.tasks.models import HumanTask
from portal.tasks.workflow import signal_case

SIGNAL = signal("zorg_gemeld", __name__)
TASK = user_task("zorg_behandelen", __name__)
#: The teamleider's escalation once a concern's answer deadline has passed (a boundary timer on TASK).
ESCALATION = user_task("escalatie_zorg_te_laat", __name__)


class ConcernRefused(Refused):
    """Not a concern this portal takes (an unknown category, or no concern behind a task)."""


def raise_concern(case: Case, user: User, category: str, text: str) -> Concern:
    """Record the concern and open the teamleider's task for it (same transaction).

    :raises ConcernRefused or NotListening: the case's process takes no concerns now (e.g. it has ended).
    """
    if category not in Concern.CATEGORIES:
        raise ConcernRefused(_("Kies een soort zorg."))
    lock_case(case.id)  # the case row first: an identical concern sent twice at once is found below
    same = db.session.scalar(select(Concern).where(
        Concern.case_id == case.id, Concern.status == Concern.OPEN, Concern.category == category,
        Concern.text == text.strip()).limit(1))
    if same is not None:  # sent twice (a double click, a retried request): one concern, one task
        return same
    task = signal_case(case, SIGNAL, TASK, actor_id=user.id, reuse_open=False)
    concern = Concern(case_id=case.id, category=category, text=text.strip(), raised_by_id=user.id,
                      human_task_id=task.id, due_at=task.due_at)
    db.session.add(concern)
    db.session.flush()
    record("write", "concern", "concerns.raise", case_id=case.id, user_id=user.id, detail={"concern": concern.id})
    return concern


def has_open_concern(case: Case) -> bool:
    """A concern still waits for the teamleider's answer (its task is open)."""
    return db.session.scalar(select(HumanTask.id).where(
        HumanTask.case_id == case.id, HumanTask.bpmn_id == TASK, HumanTask.status == HumanTask.OPEN)
        .limit(1)) is not None


def concern_for_task(task: HumanTask) -> Concern | None:
    return db.session.scalar(select(Concern).where(Concern.human_task_id == task.id))


def answer(task: HumanTask, data: dict[str, Any], user: User) -> Concern:
    concern = concern_for_task(task)
    if concern is None:
        raise ConcernRefused(_("Bij deze taak hoort geen gemelde zorg."))
    concern.status, concern.answer = Concern.ANSWERED, data["antwoord"]
    concern.justified = data.get("gegrond")
    concern.answered_by_id, concern.answered_at = user.id, utcnow()
    db.session.flush()
    record("write", "concern:answer", "concerns.answer", case_id=concern.case_id, user_id=user.id,
           detail={"concern": concern.id})
    return concern


def concern_escalated_by(task: HumanTask) -> Concern | None:
    """The concern an escalation task is about: the one whose answer task the timer is attached to."""
    if task.origin_task_id is None:
        return None
    return db.session.scalar(select(Concern).join(HumanTask, HumanTask.id == Concern.human_task_id)
                             .where(HumanTask.engine_task_id == task.origin_task_id))


def days_late(concern: Concern, today: date) -> int:
    """Whole days past the answer deadline: until the answer, or until ``today`` while there is none.

    The deadline is a day (the task's ``dueIn``, 10 days): an answer on that day is on time (0); the
    escalation (BPMN timer_zorg_te_laat) fires once that day has ended, when the concern is 1 day late.
    """
    if concern.due_at is None:
        return 0
    until = dates.local_date(concern.answered_at) if concern.answered_at else today
    return max(0, dates.days_between(dates.local_date(concern.due_at), until))


def concerns_of(case: Case) -> list[Concern]:
    return list(db.session.scalars(select(Concern).where(Concern.case_id == case.id).order_by(Concern.id.desc())))
