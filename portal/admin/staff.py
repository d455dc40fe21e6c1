"""The beheerder's services for accounts of the municipalities they administer (:mod:`portal.admin.scope`):
lists, and handing every case of a leaving regisseur to a colleague of the SAME municipality (with a
preview first). Services flush; the view commits.

Another municipality's accounts do not exist here (:func:`account_of` → None → 404).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from portal.admin.scope import Scope
from portal.audit.services import record
from portal.auth.models import User
from portal.cases.models import Case
from portal.cases.services import lock_case
from portal.extensions import db
from portal.refusal import Refused
from portal.security import STAFF_ROLES, Role
from portal.tasks.models import HumanTask


def accounts_query(scope: Scope, *, newcomers: bool = False, search: str | None = None):
    """Staff (or newcomer) accounts of the scope's municipalities, by name."""
    roles = [Role.INBURGERAAR.value] if newcomers else sorted(r.value for r in STAFF_ROLES)
    query = select(User).where(scope.where(User.municipality_id), User.role.in_(roles))
    if search:
        like = f"%{search.strip().lower()}%"
        fields = [func.lower(User.username)] if newcomers else [func.lower(User.username),
                                                                func.lower(User.display_name)]
        query = query.where(or_(*(field.like(like) for field in fields)))
    return query.order_by(User.deactivated_at.is_not(None), User.display_name, User.id)


def account_of(scope: Scope, user_id: int, *, newcomer: bool = False) -> User | None:
    """The account if it is one of the scope's staff (or newcomers), else None."""
    user = db.session.get(User, user_id)
    if user is None or user.municipality_id is None or not scope.covers(user.municipality_id):
        return None
    if (user.role == Role.INBURGERAAR.value) != newcomer:
        return None
    return user


def cases_held(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Case).where(
        Case.regisseur_id == user.id, Case.closed_at.is_(None))) or 0


@dataclass(frozen=True)
class Handover:
    """One case that moves, with its open tasks that move along."""

    case_id: int
    reference: str
    stage_label: str
    tasks: list[str]


def handover_preview(leaving: User) -> list[Handover]:
    """Every case ``leaving`` holds (open and closed), with the titles of the open tasks that move.

    Only the reference and stage are shown: the beheerder reads no case data.
    """
    cases = db.session.scalars(select(Case).where(Case.regisseur_id == leaving.id).order_by(Case.reference))
    found = []
    for case in cases:
        titles = db.session.scalars(select(HumanTask.title).where(
            HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN,
            HumanTask.role == Role.REGISSEUR.value).order_by(HumanTask.id))
        found.append(Handover(case.id, case.reference, case.stage_label, list(titles)))
    return found


def regisseurs_for_handover(leaving: User) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.municipality_id == leaving.municipality_id, User.role == Role.REGISSEUR.value, User.id != leaving.id,
        User.active.is_(True), User.deactivated_at.is_(None)).order_by(User.display_name)))


def hand_over_all(leaving: User, target: User, reason: str, actor: User) -> tuple[int, int]:
    """Give every case of ``leaving`` to ``target``, their open regisseur tasks included; one audit event per
    case (on the case) and one for the whole handover.

    Each case row is locked first, as every write to a case does. :returns: (cases, tasks) moved.
    :raises Refused: the target is not an active regisseur of the same municipality, or is ``leaving``.
    """
    if target.id == leaving.id or target.role != Role.REGISSEUR.value or not target.is_active \
            or target.municipality_id != leaving.municipality_id:
        raise Refused(_("Kies een andere, actieve regisseur van deze gemeente."))
    case_ids = list(db.session.scalars(select(Case.id).where(Case.regisseur_id == leaving.id).order_by(Case.id)))
    moved_cases, moved_tasks = [], 0
    for case_id in case_ids:
        case = lock_case(case_id)
        if case.regisseur_id != leaving.id:  # handed over meanwhile by a teamleider
            continue
        case.regisseur_id = target.id
        tasks = list(db.session.scalars(select(HumanTask).where(
            HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN,
            HumanTask.role == Role.REGISSEUR.value)))
        for task in tasks:
            task.assignee_id = target.id
        moved_cases.append(case.id)
        moved_tasks += len(tasks)
        record("write", "case.regisseur", "admin.hand_over_all", case_id=case.id, user_id=actor.id,
               detail={"from": leaving.id, "to": target.id, "reason": reason, "tasks": [t.id for t in tasks]})
    record("write", f"user:{leaving.id}.cases", "admin.hand_over_all", user_id=actor.id,
           municipality_id=leaving.municipality_id,
           detail={"from": leaving.id, "to": target.id, "cases": moved_cases, "tasks": moved_tasks, "reason": reason})
    db.session.flush()
    return len(moved_cases), moved_tasks
