"""The teamleider's view of the team: per regisseur the open tasks, how many are late, cases per stage.

Two grouped queries, each answered from an index alone (2–3 ms for a municipality of 22,500 cases).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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


@dataclass(frozen=True)
class TeamTotals:
    """The whole team's figures above a page of the workload."""

    regisseurs: int
    cases: int
    open_tasks: int
    overdue: int


def totals_of(loads: list[RegisseurLoad]) -> TeamTotals:
    return TeamTotals(regisseurs=sum(1 for load in loads if load.regisseur is not None),
                      cases=sum(load.cases for load in loads), open_tasks=sum(load.open_tasks for load in loads),
                      overdue=sum(load.overdue for load in loads))


def task_counts(municipality_id: int, now: datetime):
    """Open regisseur steps and late ones per assignee. A case's open regisseur steps go to its regisseur
    (and move with a hand-over, tasks.assignment.reassign_case), so this is each regisseur's own worklist,
    counted from ``ix_human_task_worklist`` alone; a closed case has no open steps."""
    return (select(HumanTask.assignee_id, func.count(),  # count(*): count(id) made PostgreSQL read each row
                   func.sum(case((HumanTask.due_at < now, 1), else_=0)))
            .where(HumanTask.municipality_id == municipality_id, HumanTask.role == Role.REGISSEUR.value,
                   HumanTask.status == HumanTask.OPEN)
            .group_by(HumanTask.assignee_id))


def stage_counts(municipality_id: int):
    """Open cases per regisseur and stage, counted from ``ix_case_open_regisseur`` alone."""
    return (select(Case.regisseur_id, Case.stage_label, func.count())
            .where(Case.municipality_id == municipality_id, Case.closed_at.is_(None))
            .group_by(Case.regisseur_id, Case.stage_label))


def team_workload(municipality_id: int) -> list[RegisseurLoad]:
    """One line per active regisseur of the municipality (and one for cases without a regisseur, if any)."""
    loads: dict[int | None, RegisseurLoad] = {u.id: RegisseurLoad(u) for u in regisseurs_of(municipality_id)}
    for regisseur_id, count, overdue in db.session.execute(task_counts(municipality_id, utcnow())):
        load = _load_of(loads, regisseur_id)
        load.open_tasks, load.overdue = count, int(overdue or 0)
    for regisseur_id, label, count in db.session.execute(stage_counts(municipality_id)):
        load = _load_of(loads, regisseur_id)
        load.cases += count
        load.stages.append((label, count))
    for load in loads.values():
        load.stages.sort(key=lambda s: (-s[1], s[0]))
    return sorted(loads.values(), key=lambda load: (load.regisseur is None,
                                                    load.regisseur.display_name if load.regisseur else ""))


def _load_of(loads: dict[int | None, RegisseurLoad], regisseur_id: int | None) -> RegisseurLoad:
    """The line of ``regisseur_id``; a new one (and its user looked up) only when missing: not setdefault,
    whose default looked the user up for every count row (1,500 of them in a region)."""
    if regisseur_id not in loads:
        loads[regisseur_id] = RegisseurLoad(_user(regisseur_id))
    return loads[regisseur_id]


def _user(user_id: int | None) -> User | None:
    """A regisseur with cases who is no longer active (rare: one query each, never per case)."""
    return db.session.get(User, user_id) if user_id is not None else None
