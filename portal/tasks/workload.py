"""The teamleider's view of the team: per regisseur the open tasks, how many are late, cases per stage.

Three grouped queries over indexed columns, whatever the size of the team or the caseload.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from portal.auth.models import User
from portal.cases.models import Case
from portal.cases.services import regisseurs_of
from portal.db import utcnow
from portal.extensions import db
from portal.security import Role
from portal.tasks.models import HumanTask


@dataclass
class RegisseurLoad:
    regisseur: User | None
    cases: int = 0
    open_tasks: int = 0
    overdue: int = 0
    #: (stage label, number of cases), largest first. By label: the projection gives one stage several
    #: ids (the PIP process and its subprocess); the worklist filters on the label too.
    stages: list[tuple[str, int]] = field(default_factory=list)


def team_workload(municipality_id: int) -> list[RegisseurLoad]:
    """One line per active regisseur of the municipality (and one for cases without a regisseur, if any)."""
    loads: dict[int | None, RegisseurLoad] = {u.id: RegisseurLoad(u) for u in regisseurs_of(municipality_id)}
    now = utcnow()
    tasks = db.session.execute(
        select(Case.regisseur_id, func.count(HumanTask.id),
               func.sum(case((HumanTask.due_at < now, 1), else_=0)))
        .select_from(HumanTask).join(Case, Case.id == HumanTask.case_id)
        .where(HumanTask.municipality_id == municipality_id, HumanTask.role == Role.REGISSEUR.value,
               HumanTask.status == HumanTask.OPEN, Case.closed_at.is_(None))
        .group_by(Case.regisseur_id))
    for regisseur_id, count, overdue in tasks:
        load = loads.setdefault(regisseur_id, RegisseurLoad(_user(regisseur_id)))
        load.open_tasks, load.overdue = count, int(overdue or 0)
    stages = db.session.execute(
        select(Case.regisseur_id, Case.stage_label, func.count(Case.id))
        .where(Case.municipality_id == municipality_id, Case.closed_at.is_(None))
        .group_by(Case.regisseur_id, Case.stage_label))
    for regisseur_id, label, count in stages:
        load = loads.setdefault(regisseur_id, RegisseurLoad(_user(regisseur_id)))
        load.cases += count
        load.stages.append((label, count))
    for load in loads.values():
        load.stages.sort(key=lambda s: (-s[1], s[0]))
    return sorted(loads.values(), key=lambda load: (load.regisseur is None,
                                                    load.regisseur.display_name if load.regisseur else ""))


def _user(user_id: int | None) -> User | None:
    """A regisseur with cases who is no longer active (rare: one query each, never per case)."""
    return db.session.get(User, user_id) if user_id is not None else None
