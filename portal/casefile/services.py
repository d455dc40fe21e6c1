"""Opening a case (the row and its process), handing it to another regisseur, its open tasks."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.models import Municipality, User
from portal.cases.models import Case
from portal.cases.services import KoppelingData, new_case
from portal.extensions import db
from portal.refusal import Refused
from portal.security import Role
from portal.tasks.models import HumanTask
from portal.tasks.workflow import start_workflow


def open_case(data: KoppelingData, municipality: Municipality, regisseur_id: int | None,
              user_id: int | None, purpose: str) -> Case:
    """Open a case from the COA handover and start its process (the brede intake begins).

    :raises DuplicateCase: when the V-number is already known.
    :raises NoProcessDeployed: when no process version exists yet.
    """
    case = new_case(data, municipality, regisseur_id, user_id, purpose)
    start_workflow(case, user_id)
    return case


def reassign(case: Case, regisseur: User, reason: str, user: User) -> None:
    """Hand the case to another regisseur of the same municipality, open tasks included.

    The caller holds the case row lock (``case_for(..., lock=True)``).
    """
    if regisseur.municipality_id != case.municipality_id or regisseur.role != Role.REGISSEUR.value \
            or not regisseur.active:
        raise Refused(_("Kies een regisseur van deze gemeente."))
    previous = case.regisseur_id
    case.regisseur_id = regisseur.id
    for task in db.session.scalars(select(HumanTask).where(
            HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN,
            HumanTask.role == Role.REGISSEUR.value)):
        task.assignee_id = regisseur.id
    record("write", "case.regisseur", "casefile.reassign", case_id=case.id, user_id=user.id,
           detail={"from": previous, "to": regisseur.id, "reason": reason})
    db.session.flush()


def completed_tasks(case: Case) -> list[HumanTask]:
    return list(db.session.scalars(
        select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == HumanTask.COMPLETED)
        .order_by(HumanTask.completed_at.desc())))


def open_tasks(case: Case) -> list[HumanTask]:
    return list(db.session.scalars(
        select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN)
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at)))
