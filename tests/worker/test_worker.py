"""The worker keeps going: a database error rolls back one item, backs off and goes on; one failing
sweep never stops the others; a document that cannot be made is retried and then shown as failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.exc import OperationalError

from portal import worker
from portal.db import utcnow
from portal.extensions import db
from portal.plans.documents import claim_next, queue_document
from portal.plans.models import PlanDocument
from portal.plans.services import current_version
from portal.tasks.models import HumanTask, WorkflowInstance
from tests.factories import walk_to_signing


def _db_error() -> OperationalError:
    return OperationalError("UPDATE inburgering_case ...", {}, Exception("server closed the connection unexpectedly"))


def test_drain_backs_off_after_database_errors_and_goes_on(caplog):
    outcomes = iter([_db_error(), _db_error(), "one", "two", None])
    slept = []

    def step():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert worker.drain(step, sleep=slept.append) == 2
    assert slept == [worker.BACKOFF_START, worker.BACKOFF_START * 2]  # exponential back-off
    assert "database error (2 in a row)" in caplog.text


def test_drain_gives_up_a_sweep_after_errors_in_a_row_without_raising():
    slept = []

    def step():
        raise _db_error()

    assert worker.drain(step, sleep=slept.append) == 0
    assert len(slept) == worker.MAX_ERRORS_PER_SWEEP - 1 and slept[-1] <= worker.BACKOFF_MAX


def test_a_database_error_on_one_case_does_not_stop_the_timers_of_the_others(create_user, create_case, monkeypatch):
    ria = create_user("ria")
    then = utcnow() - timedelta(weeks=10)
    with time_machine.travel(then, tick=False):  # opened ten weeks ago: "intake not started" is due now
        cases = [create_case(ria, koppeling=then.date()) for _ in range(3)]
    db.session.commit()  # (the worker's rollback after the error must not undo the test's set-up)
    due = db.session.scalar(sa.select(sa.func.count()).select_from(WorkflowInstance).where(
        WorkflowInstance.next_timer_due < utcnow()))
    assert due == 3  # "intake not started" is due on all three
    real = worker.advance_due_instance
    calls = {"n": 0}

    def flaky(now):
        calls["n"] += 1
        if calls["n"] == 1:  # the database drops the first attempt
            raise _db_error()
        return real(now)

    monkeypatch.setattr(worker, "advance_due_instance", flaky)
    monkeypatch.setattr(worker.time, "sleep", lambda _seconds: None)
    assert worker.fire_due_timers() == 3
    escalated = db.session.scalars(sa.select(HumanTask.case_id).where(
        HumanTask.bpmn_id == "escalatie_intake_niet_gestart", HumanTask.status == HumanTask.OPEN)).all()
    assert sorted(escalated) == sorted(c.id for c in cases)  # all three fired, each once


def test_one_failing_sweep_does_not_stop_the_others(monkeypatch, caplog):
    ran = []

    def broken():
        raise RuntimeError("a bug in the mail sweep")

    def fine():
        ran.append("fine")
        return 1

    monkeypatch.setattr(worker, "SWEEPS", (broken, fine))
    assert worker.sweep_all() == {"broken": 0, "fine": 1}
    assert ran == ["fine"] and "broken failed" in caplog.text


def test_a_document_that_cannot_be_made_is_retried_then_marked_failed(create_user, create_case, monkeypatch):
    ria = create_user("ria")
    amina = create_user("amina", role="inburgeraar", password="amina-geheim-1")
    case = create_case(ria)
    monkeypatch.setattr(worker, "render_document", lambda _id: (_ for _ in ()).throw(OSError("font missing")))
    walk_to_signing(case, ria, amina)  # decided: two documents queued, the first attempt fails
    documents = db.session.scalars(sa.select(PlanDocument)).all()
    assert {d.status for d in documents} == {PlanDocument.PENDING}
    assert all(d.attempts == 1 and "font missing" in d.last_error and d.next_attempt_at > utcnow() for d in documents)
    for _attempt in range(PlanDocument.MAX_ATTEMPTS):
        for document in documents:
            document.next_attempt_at = utcnow() - timedelta(seconds=1)  # the back-off has passed
        worker.produce_due_documents()
    assert {d.status for d in documents} == {PlanDocument.FAILED}


def test_a_worker_that_died_while_rendering_leaves_the_document_to_another(create_user, create_case):
    ria = create_user("ria")
    amina = create_user("amina", role="inburgeraar", password="amina-geheim-1")
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    document = queue_document(current_version(case), PlanDocument.SIGNED_COPY, locale="ar")
    assert claim_next(utcnow()) == document.id  # a worker takes it … and dies
    assert claim_next(utcnow()) is None  # leased: nobody else takes it meanwhile
    later = utcnow() + timedelta(minutes=6)  # the lease has run out
    assert claim_next(later) == document.id and document.attempts == 2


@pytest.fixture(autouse=True)
def _quiet_backoff(monkeypatch):
    monkeypatch.setattr(worker.time, "sleep", lambda _seconds: None)
