"""The teamleider's view of the team: per regisseur the open tasks, how many are late, cases per stage.

A page of regisseurs costs three statements whatever the municipality's size (four while the totals are
not kept): the page's lines (the people, in name order, with how many lines there are in all), and the open
steps and the cases per stage of just those people (each from an index alone). Counting every regisseur's work to
show 25 of a region's 300 cost 4-8 ms more at 100,000 cases (bench/scale.py). The team's totals of cases
and steps are plain counts from the indexes; a municipality of more than ``COUNT_CAP`` open cases has them
kept a few seconds per process (portal.kept): counting its 22,500 open cases and 17,500 open steps cost the
page 4-9 ms on PostgreSQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, case, exists, func, literal, null, or_, select, union_all

from portal.auth.models import User
from portal.cases.models import Case
from portal.cases.paging import COUNT_CAP, CappedPage
from portal.db import utcnow
from portal.extensions import db
from portal.kept import kept
from portal.security import STAFF_ROLES, Role
from portal.tasks.models import HumanTask
from portal.tasks.worklist import team_cases, team_steps


class Person(NamedTuple):
    """Whom a line is about: what the page shows and links to (not a whole user row)."""

    id: int
    display_name: str


@dataclass
class RegisseurLoad:
    #: None: the cases and steps that have no regisseur.
    regisseur: Person | None
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


def _people(municipality_id: int):
    """Who has a line: every active regisseur of the municipality, and any other staff member of it who
    still has open cases or open regisseur steps (a regisseur who left or changed role, before the hand-over)."""
    has_cases = exists().where(*team_cases(municipality_id), Case.regisseur_id == User.id)
    has_steps = exists().where(*team_steps(municipality_id), HumanTask.assignee_id == User.id)
    return select(User.id, User.display_name).where(
        User.municipality_id == municipality_id, User.role.in_(sorted(STAFF_ROLES)),  # not its newcomers
        or_(and_(User.role == Role.REGISSEUR.value, User.active.is_(True)), has_cases, has_steps))


def _nobody(municipality_id: int):
    """Whether open cases or open regisseur steps have no regisseur (they get a line of their own)."""
    return or_(exists().where(*team_cases(municipality_id), Case.regisseur_id.is_(None)),
               exists().where(*team_steps(municipality_id), HumanTask.assignee_id.is_(None)))


def _lines(municipality_id: int):
    """The workload's lines: the people, and nobody's line (id NULL) if it has work; ``last`` orders it last."""
    people = _people(municipality_id).add_columns(literal(0).label("last"))
    nobody = select(null(), null(), literal(1)).where(_nobody(municipality_id))
    return union_all(people, nobody).subquery("line")


def lines_query(municipality_id: int):
    """The workload's lines in their order, each with how many lines there are (``lines``) and how many of
    them are people (``people``): the page and its count in one read."""
    line = _lines(municipality_id).c
    return (select(line.id, line.display_name, func.count().over().label("lines"),
                   func.count(line.id).over().label("people"))
            .order_by(line.last, line.display_name, line.id))


def lines_count_query(municipality_id: int):
    """How many lines there are and how many of them are people (for a page past the end: an old link)."""
    line = _lines(municipality_id).c
    return select(func.count().label("lines"), func.count(line.id).label("people"))


def totals_query(municipality_id: int, now: datetime):
    """The team's open cases, open steps and late ones, in one statement."""
    cases = select(func.count()).where(*team_cases(municipality_id)).scalar_subquery()
    # the open steps and the late ones in one pass over the municipality's part of ix_human_task_worklist
    # (counted apart, the late ones were looked up in the region's ix_human_task_open_role)
    steps = select(func.count().label("open_tasks"),
                   func.coalesce(func.sum(case((HumanTask.due_at < now, 1), else_=0)), 0).label("overdue")
                   ).where(*team_steps(municipality_id)).subquery("steps")
    return select(cases.label("cases"), steps.c.open_tasks, steps.c.overdue).select_from(steps)


def _among(column, ids: list[int | None]):
    """``column`` is one of ``ids``; None among them stands for NULL."""
    found = [i for i in ids if i is not None]
    conditions = ([column.in_(found)] if found else []) + ([column.is_(None)] if None in ids else [])
    return or_(*conditions)


def task_counts(municipality_id: int, now: datetime, assignees: list[int | None]):
    """Open regisseur steps and late ones of ``assignees``. A case's open regisseur steps go to its regisseur
    (and move with a hand-over, tasks.assignment.reassign_case), so this is each regisseur's own worklist,
    counted from ``ix_human_task_worklist`` alone; a closed case has no open steps."""
    return (select(HumanTask.assignee_id, func.count(),  # count(*): count(id) made PostgreSQL read each row
                   func.sum(case((HumanTask.due_at < now, 1), else_=0)))
            .where(*team_steps(municipality_id), _among(HumanTask.assignee_id, assignees))
            .group_by(HumanTask.assignee_id))


def stage_counts(municipality_id: int, regisseurs: list[int | None]):
    """Open cases of ``regisseurs`` per regisseur and stage, counted from ``ix_case_open_regisseur`` alone."""
    return (select(Case.regisseur_id, Case.stage_label, func.count())
            .where(*team_cases(municipality_id), _among(Case.regisseur_id, regisseurs))
            .group_by(Case.regisseur_id, Case.stage_label))


def team_workload(municipality_id: int, page: int, per_page: int) -> tuple[CappedPage, TeamTotals]:
    """Page ``page`` (1-based; past the end: the last) of the workload's lines, and the team's totals."""
    now = utcnow()
    rows = _page_of_lines(municipality_id, page, per_page)
    if not rows and page > 1:  # past the end (an old link, a team that shrank): the last page
        counted = db.session.execute(lines_count_query(municipality_id)).one()
        page = max(1, math.ceil(counted.lines / per_page))
        rows = _page_of_lines(municipality_id, page, per_page)
    lines, people = (rows[0].lines, rows[0].people) if rows else (0, 0)
    loads = {row.id: RegisseurLoad(Person(row.id, row.display_name) if row.id is not None else None) for row in rows}
    if loads:
        ids = list(loads)
        for regisseur_id, count, overdue in db.session.execute(task_counts(municipality_id, now, ids)):
            loads[regisseur_id].open_tasks, loads[regisseur_id].overdue = count, int(overdue or 0)
        for regisseur_id, label, count in db.session.execute(stage_counts(municipality_id, ids)):
            loads[regisseur_id].cases += count
            loads[regisseur_id].stages.append((label, count))
    for load in loads.values():
        load.stages.sort(key=lambda s: (-s[1], s[0]))
    return CappedPage(items=list(loads.values()), page=page, per_page=per_page, total=lines, capped=False,
                      more=page * per_page < lines), _totals(municipality_id, people, now)


def _page_of_lines(municipality_id: int, page: int, per_page: int) -> list:
    """The lines of page ``page``, each with the counts of lines_query."""
    return db.session.execute(lines_query(municipality_id).limit(per_page).offset((page - 1) * per_page)).all()


def _totals(municipality_id: int, people: int, now: datetime) -> TeamTotals:
    """The team's totals: ``people`` as counted for the lines; its cases and steps kept for a large municipality."""

    def count() -> tuple[tuple[int, int, int], bool]:
        found = db.session.execute(totals_query(municipality_id, now)).one()
        return (found.cases, found.open_tasks, found.overdue), found.cases > COUNT_CAP

    cases, open_tasks, overdue = kept(("workload", municipality_id), count)
    return TeamTotals(regisseurs=people, cases=cases, open_tasks=open_tasks, overdue=overdue)
