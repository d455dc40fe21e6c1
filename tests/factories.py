"""Helpers to walk cases through the real process in tests."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.demo import sample_submission
from portal.extensions import db
from portal.tasks.models import HumanTask
from portal.tasks.services import complete_task, form_spec_for


def open_tasks(case) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                           HumanTask.status == HumanTask.OPEN)
                                   .order_by(HumanTask.id)))


def open_steps(case) -> list[str]:
    return sorted(t.bpmn_id for t in open_tasks(case))


def complete(case, bpmn_id: str, user, day: date | None = None, **overrides) -> HumanTask:
    task = next(t for t in open_tasks(case) if t.bpmn_id == bpmn_id)
    data = sample_submission(form_spec_for(task), day or date(2026, 1, 12), overrides)
    return complete_task(task.id, data, user)
