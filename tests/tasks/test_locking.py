"""Optimistic locking on workflow state: a save from a stale copy fails instead of overwriting."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from portal.demo import sample_submission
from portal.extensions import db
from portal.tasks import workflow as services
from portal.tasks.models import WorkflowInstance
from portal.tasks.workflow import StaleTask, complete_task
from tests.factories import open_tasks

BUMP = sa.text("UPDATE workflow_instance SET lock_version = lock_version + 1 WHERE id = :id")


def test_stale_copy_cannot_overwrite(create_user, create_case):
    case = create_case(create_user("ria"))
    instance = db.session.scalar(sa.select(WorkflowInstance).where(WorkflowInstance.case_id == case.id))
    db.session.flush()
    db.session.connection().execute(BUMP, {"id": instance.id})  # someone else saved meanwhile
    instance.last_error = "mine"
    with pytest.raises(StaleDataError):
        db.session.flush()


def test_complete_on_a_stale_workflow_is_a_stale_task(create_user, create_case, monkeypatch):
    ria = create_user("ria")
    case = create_case(ria)
    task = open_tasks(case)[0]
    real_save = services._save

    def racing_save(case, instance, version, result, **kwargs):
        db.session.connection().execute(BUMP, {"id": instance.id})
        real_save(case, instance, version, result, **kwargs)

    monkeypatch.setattr(services, "_save", racing_save)
    with pytest.raises(StaleTask):
        complete_task(task.id, sample_submission(services.form_spec_for(task), date(2026, 1, 8)), ria)
