"""While the worker renders and seals the PDFs of a large plan, everyone else works as usual:
page views and task completions of other users answer normally (the PDFs are made outside any lock)."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
import sqlalchemy as sa

from tests.concurrency.conftest import Browser

pytestmark = [pytest.mark.own_database]

PASSWORD = "geheim-123"
GOALS = 20  # a plan with the most goals (maxItems) and long texts: its PDFs take seconds to render


def test_pages_answer_while_a_large_plans_documents_are_made(served):
    from portal.auth.models import User
    from portal.casefile.services import open_case
    from portal.demo import form_fields, sample_koppeling, sample_submission, staff_with_cases
    from portal.extensions import db
    from portal.plans.models import PlanDocument
    from portal.security import hash_password
    from portal.tasks.models import HumanTask
    from portal.tasks.workflow import form_spec_for
    from portal.worker import produce_due_documents
    from tests.factories import PLAN, complete, walk_intake

    app, base = served
    with app.app_context():
        utrecht, ria, (large,) = staff_with_cases(1, PASSWORD)
        tom = User(username="tom", display_name="Tom", role="regisseur", municipality=utrecht,
                   password_hash=hash_password(PASSWORD))
        db.session.add(tom)
        db.session.flush()
        walk_intake(large, ria)
        goals = [{"leefgebied": "opleiding_en_werk", "doel": f"Doel {i}: " + "een stap vooruit in werk " * 19,
                  "actie": "Gesprekken met het Werkplein " * 17, "wie": "regisseur"} for i in range(GOALS)]
        complete(large, "pip_opstellen", ria, **{**PLAN, "doelen": goals})
        complete(large, "pip_vaststellen", ria, besluitdatum="2026-03-02")  # two PDFs queued
        toms = [open_case(sample_koppeling(n), utrecht, tom.id, None, "test") for n in range(1, 6)]
        db.session.commit()
        tasks = {}
        for case in toms:
            task = db.session.scalar(sa.select(HumanTask).where(HumanTask.case_id == case.id))
            tasks[task.id] = form_fields(sample_submission(form_spec_for(task), date(2026, 1, 8)))
        case_ids = [c.id for c in toms]

    finished = threading.Event()

    def work() -> None:
        with app.app_context():
            produce_due_documents()
        finished.set()

    browser = Browser(base)
    browser.log_in("tom", PASSWORD)
    started = time.monotonic()
    threading.Thread(target=work, daemon=True).start()
    answers = []
    pending_task_ids = list(tasks)
    while not finished.is_set():
        for path in ("/tasks/", "/cases/", f"/cases/{case_ids[len(answers) % len(case_ids)]}"):
            began = time.monotonic()
            answers.append((browser.request(path).status, time.monotonic() - began))
        if pending_task_ids:  # a write as well: Tom completes a step of one of his own cases
            task_id = pending_task_ids.pop()
            token = browser.token(f"/tasks/{task_id}")
            began = time.monotonic()
            answers.append((browser.request(f"/tasks/{task_id}", {**tasks[task_id], "csrf_token": token}).status,
                            time.monotonic() - began))
    rendering = time.monotonic() - started

    with app.app_context():
        statuses = db.session.scalars(sa.select(PlanDocument.status)).all()
    assert statuses == [PlanDocument.READY, PlanDocument.READY]
    assert rendering > 1.0, rendering  # the documents really took a while …
    assert len(answers) >= 10, answers  # … and Tom kept working meanwhile
    assert {status for status, _ in answers} <= {200, 302}, answers
    assert sum(status == 302 for status, _ in answers) >= 1
    # Held behind the rendering, a page would wait for a whole document (about half of ``rendering``);
    # relative, so a busy CI machine (slower pages, slower PDFs) does not make it flaky.
    slowest = max(seconds for _, seconds in answers)
    assert slowest < max(0.5, rendering / 4), f"a page took {slowest:.2f} s; documents took {rendering:.1f} s"
