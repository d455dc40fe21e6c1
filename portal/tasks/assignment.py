"""What a teamleider does from an escalation: hand the case to another regisseur, or give more time.

Both lock the case row first (as every write does), are refused on a task that is no longer open,
audit what they did and flush; the view commits.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.models import User
from portal.cases.models import Case
from portal.cases.services import lock_case
from portal.dates import after_day, local_date
from portal.extensions import db
from portal.i18n import format_day
from portal.refusal import Refused
from portal.security import Role
from portal.tasks.escalations import EXTEND, REASSIGN, open_steps, rule_for
from portal.tasks.models import DeadlineExtension, HumanTask
from portal.tasks.workflow import StaleTask
from portal.tasks.worklist import refresh_step_due


def _open_escalation(task: HumanTask, action: str) -> Case:
    case = lock_case(task.case_id)
    db.session.refresh(task)
    if not task.is_open:
        raise StaleTask(task.id)
    rule = rule_for(task)
    if rule is None or action not in rule.actions:
        raise Refused(_("Deze actie past niet bij deze escalatie."))
    return case


def reassign_case(case: Case, regisseur: User, reason: str, user: User, purpose: str) -> None:
    """Hand ``case`` and its open regisseur steps to ``regisseur``, of the same municipality only.

    The caller holds the case row lock.
    """
    if regisseur.municipality_id != case.municipality_id or regisseur.role != Role.REGISSEUR.value \
            or not regisseur.active:
        raise Refused(_("Kies een regisseur van deze gemeente."))
    if regisseur.id == case.regisseur_id:
        raise Refused(_("Dit dossier ligt al bij %(name)s.", name=regisseur.display_name))
    previous = case.regisseur_id
    case.regisseur_id = regisseur.id
    for task in db.session.scalars(select(HumanTask).where(
            HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN,
            HumanTask.role == Role.REGISSEUR.value)):
        task.assignee_id = regisseur.id
    record("write", "case.regisseur", purpose, case_id=case.id, user_id=user.id,
           detail={"from": previous, "to": regisseur.id, "reason": reason})
    db.session.flush()


def reassign_from_escalation(task: HumanTask, regisseur: User, reason: str, user: User) -> None:
    """The escalation's case goes to another regisseur; the escalation stays open for the discussion."""
    case = _open_escalation(task, REASSIGN)
    reassign_case(case, regisseur, reason, user, "tasks.escalation.reassign")


def extend_deadline(task: HumanTask, new_due: date, reason: str, user: User) -> DeadlineExtension:
    """Move the deadline of the open steps the escalation is about to the end of ``new_due``, and record why.

    :raises Refused: the rule offers no extension, no such step is open, or the day is not later than
        the current deadline.
    """
    case = _open_escalation(task, EXTEND)
    rule = rule_for(task)
    steps = open_steps(task, rule)
    if not steps:
        raise Refused(_("Er staat geen stap meer open waarvan de termijn kan verschuiven."))
    current = [local_date(step.due_at) for step in steps if step.due_at is not None]
    previous = min(current) if current else None
    if previous is not None and new_due <= previous:
        raise Refused(_("Kies een datum na de huidige termijn (%(date)s).", date=format_day(previous)))
    due_at = after_day(new_due) - timedelta(seconds=1)  # "uiterlijk op" new_due: the whole day counts
    for step in steps:
        step.due_at = due_at
    refresh_step_due(case)
    extension = DeadlineExtension(case_id=case.id, escalation_task_id=task.id, rule=task.bpmn_id,
                                  previous_due=previous, new_due=new_due, reason=reason,
                                  task_ids=[step.id for step in steps], created_by_id=user.id)
    db.session.add(extension)
    db.session.flush()
    record("write", "task.deadline", "tasks.escalation.extend", case_id=case.id, user_id=user.id,
           detail={"escalation": task.id, "rule": task.bpmn_id, "from": previous.isoformat() if previous else None,
                   "to": new_due.isoformat(), "tasks": extension.task_ids, "reason": reason})
    return extension
