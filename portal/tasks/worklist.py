"""Worklist queries: the open tasks a user may pick up, read from the ``human_task`` projection (SQL only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import or_, select

from portal.auth.models import User
from portal.cases.models import Case
from portal.db import utcnow
from portal.extensions import db
from portal.hooks import Hooks
from portal.tasks.models import HumanTask


@dataclass(frozen=True)
class WorklistNotice:
    """Something outside the processes that waits for this user (e.g. a four-eyes approval)."""

    title: str
    case_reference: str
    case_name: str
    since: datetime
    detail: str
    url: str


#: Higher rooms add what waits for a user beside their tasks (``newcomer``: account resets to approve).
worklist_notices: Hooks[[User], list[WorklistNotice]] = Hooks("worklist notices")


def notices_for(user: User) -> list[WorklistNotice]:
    return sorted((n for found in worklist_notices.results(user) for n in found), key=lambda n: n.since)


def worklist_query(user: User, *, step: str | None = None, overdue: bool = False, search: str | None = None):
    """Open tasks the user may pick up: their role, their municipality, assigned to them or to nobody."""
    query = (
        select(HumanTask)
        .join(Case, HumanTask.case_id == Case.id)
        .where(HumanTask.status == HumanTask.OPEN, HumanTask.municipality_id == user.municipality_id,
               HumanTask.role == user.role,
               or_(HumanTask.assignee_id == user.id, HumanTask.assignee_id.is_(None)))
    )
    if step:
        query = query.where(HumanTask.bpmn_id == step)
    if overdue:
        query = query.where(HumanTask.due_at < utcnow())
    if search:
        like = f"%{search.strip()}%"
        query = query.where(or_(Case.reference.ilike(like), Case.first_name.ilike(like), Case.last_name.ilike(like)))
    return query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)


def worklist_steps(user: User) -> list[tuple[str, str]]:
    """(bpmn id, title) of the steps present in the user's worklist, for the filter."""
    rows = db.session.execute(
        select(HumanTask.bpmn_id, HumanTask.title)
        .where(HumanTask.status == HumanTask.OPEN, HumanTask.municipality_id == user.municipality_id,
               HumanTask.role == user.role)
        .distinct().order_by(HumanTask.title)
    )
    return [(row.bpmn_id, row.title) for row in rows]


def may_work_on(user: User, task: HumanTask) -> bool:
    return (
        task.municipality_id == user.municipality_id
        and task.role == user.role
        and task.assignee_id in (None, user.id)
    )


def may_open(user: User, task: HumanTask) -> bool:
    """Whether the task's page opens for ``user``: an open task they may work on, or a finished one of their
    role or that they completed themselves (the same rule the task page enforces)."""
    if task.municipality_id != user.municipality_id:
        return False
    if task.is_open:
        return may_work_on(user, task)
    return task.role == user.role or task.assignee_id == user.id


def page_size() -> int:
    return current_app.config["PAGE_SIZE"]
