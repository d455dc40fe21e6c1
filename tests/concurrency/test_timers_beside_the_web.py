"""The timer worker and people at work on the same cases at the same time: no deadlock, no lost or
double timer, no 500 (DESIGN.md §3: the case row is the first lock, in the web and in the worker).

Two worker processes loop (`portal timers run`, as on two hosts) while four browsers complete
regisseur tasks of the same cases over HTTP. The cases were opened ten weeks ago, so their
escalation timers (intake not started after 4 weeks, intake not finished after 8) fall due now —
on the very tasks the browsers are completing. 30 seconds on PostgreSQL (CI's second pass), 10 on SQLite.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.concurrency.conftest import PG_URL, Browser

pytestmark = [pytest.mark.own_database]

CASES = 24
BROWSERS = 4
WORKERS = 2
SECONDS = 30 if PG_URL.startswith("postgresql") else 10
PASSWORD = "geheim-123"


def _open_cases(app) -> None:
    from portal.demo import staff_with_cases
    from portal.extensions import db
    from tests.factories import complete

    then = datetime.now(UTC) - timedelta(weeks=10)
    with app.app_context(), time_machine.travel(then, tick=False):
        _municipality, ria, cases = staff_with_cases(CASES, PASSWORD, koppeling=then.date())
        for case in cases[1::2]:  # half are in the intake (its 8-week timer runs), half have not started it
            complete(case, "kennismakingsgesprek", ria, day=then.date())
        db.session.commit()


def _work(app, base: str, case_ids: list[int], until: float, answers: Counter, lock: threading.Lock) -> None:
    """One regisseur's browser: complete whatever intake step is open on a random case, again and again."""
    from portal.extensions import db
    from portal.tasks.models import HumanTask

    browser = Browser(base)
    browser.log_in("ria", PASSWORD)
    while time.monotonic() < until:
        case_page = browser.request(f"/cases/{random.choice(case_ids)}")  # noqa: S311 - test load only
        with lock:
            answers[case_page.status] += 1
        for task_id in re.findall(r'href="/tasks/(\d+)"', case_page.body):
            with app.app_context():
                bpmn_id = db.session.get(HumanTask, int(task_id)).bpmn_id
            if bpmn_id in SPECS:
                break
        else:
            continue
        page = browser.request(f"/tasks/{task_id}")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.body)
        if token is None:  # completed or withdrawn meanwhile: the page says so
            continue
        answer = browser.request(f"/tasks/{task_id}", {**SPECS[bpmn_id], "csrf_token": token.group(1)})
        with lock:
            answers[answer.status] += 1


def _overdue(app, moment: datetime) -> int:
    """Running instances with a timer that was due at ``moment`` and has not fired."""
    from portal.extensions import db
    from portal.tasks.models import WorkflowInstance

    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).select_from(WorkflowInstance).where(
                WorkflowInstance.completed.is_(False), WorkflowInstance.next_timer_due < moment))
        finally:
            db.session.remove()


#: Form data for the intake steps the browsers complete (filled in by the test).
SPECS: dict[str, dict] = {}


def test_timer_workers_and_browsers_on_the_same_cases(served, scratch_url, seal_config):
    from portal.demo import form_fields, sample_submission
    from portal.extensions import db
    from portal.processes.services import current_version, runtime_for
    from portal.tasks.models import HumanTask, WorkflowInstance

    app, base = served
    _open_cases(app)
    with app.app_context():
        runtime = runtime_for(current_version())
        for bpmn_id in ("kennismakingsgesprek", "intake_leerbaarheid", "intake_opleiding_werk",
                        "intake_persoonlijke_omstandigheden", "intake_leefgebieden"):
            SPECS[bpmn_id] = form_fields(sample_submission(runtime.form_spec(bpmn_id), date.today()))
        case_ids = list(db.session.scalars(sa.select(WorkflowInstance.case_id)))
        due_before = db.session.scalar(sa.select(sa.func.count()).select_from(WorkflowInstance)
                                       .where(WorkflowInstance.next_timer_due < datetime.now(UTC)))
    assert due_before >= CASES // 2  # the race is real: timers are due on the cases people work on

    env = {**os.environ, "PORTAL_DATABASE_URL": scratch_url, "PORTAL_SEAL_KEY": seal_config["SEAL_KEY"],
           "PORTAL_SEAL_CERT": seal_config["SEAL_CERT"], "PORTAL_SECRET_KEY": "t", "PORTAL_TIMER_INTERVAL": "1"}
    workers = [subprocess.Popen([sys.executable, "-m", "portal.command", "timers", "run"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(WORKERS)]
    answers: Counter = Counter()
    lock = threading.Lock()
    until = time.monotonic() + SECONDS
    browsers = [threading.Thread(target=_work, args=(app, base, case_ids, until, answers, lock))
                for _ in range(BROWSERS)]
    for thread in browsers:
        thread.start()
    for thread in browsers:
        thread.join(timeout=SECONDS + 120)
    stopped = datetime.now(UTC)
    # The workers keep going until what was due when the people stopped has fired (on a loaded machine
    # starting two worker processes alone can take most of the window); bounded, so a lost timer fails.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and _overdue(app, stopped):
        time.sleep(0.5)
    for worker in workers:
        worker.terminate()
    logs = [worker.communicate(timeout=60) for worker in workers]

    assert set(answers) <= {200, 302, 409}, answers  # never a 500 (409: a timer withdrew the task first)
    assert answers[302] >= BROWSERS, answers  # the people got their work done
    errors = "\n".join(err for _out, err in logs)
    assert "Deadlock" not in errors and "database error" not in errors and "Traceback" not in errors, errors
    assert _overdue(app, stopped) == 0  # every timer that was due has fired
    with app.app_context():
        open_by_step = Counter(db.session.execute(
            sa.select(HumanTask.case_id, HumanTask.bpmn_id).where(HumanTask.status == HumanTask.OPEN)).all())
        assert max(open_by_step.values()) == 1, open_by_step  # no timer fired twice (no duplicate task)
