"""Several timer workers at once (separate processes, as on several hosts) never fire a timer twice.

PostgreSQL only (``FOR UPDATE SKIP LOCKED``); runs in CI's PostgreSQL pass. Uses its own scratch
database because the workers are other processes and must see committed data.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from tests.concurrency.conftest import PG_URL

pytestmark = [pytest.mark.postgres, pytest.mark.own_database,
              pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="needs PostgreSQL (SKIP LOCKED)")]

CASES = 60
WORKERS = 4


def test_four_workers_fire_each_due_timer_once(scratch_url, seal_config):
    from flask_migrate import upgrade

    from portal import create_app
    from portal.auth.models import Municipality, User
    from portal.casefile.services import open_case
    from portal.cases.services import KoppelingData
    from portal.demo import sample_submission
    from portal.extensions import db
    from portal.processes.services import deploy
    from portal.tasks.models import HumanTask
    from portal.tasks.workflow import complete_task, form_spec_for

    config = {"SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "t", **seal_config}
    app = create_app(config)
    with app.app_context(), time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False):
        upgrade()
        deploy()
        municipality = Municipality(code="0344", name="Utrecht")
        ria = User(username="ria", display_name="Ria", role="regisseur", municipality=municipality)
        db.session.add_all([municipality, ria])
        db.session.flush()
        for n in range(CASES):  # each case waits in the extended intake: its 8-week timer is due by March
            case = open_case(KoppelingData(v_nummer=f"{5000000000 + n}", voornaam="T", achternaam=str(n),
                                           geboortedatum=date(1990, 1, 1), land_van_herkomst="Syrië", taal="arabisch",
                                           huishoudgrootte=1, koppelingsdatum=date(2026, 1, 5)),
                             municipality, ria.id, None, "test")
            task = db.session.scalar(sa.select(HumanTask).where(HumanTask.case_id == case.id))
            complete_task(task.id, sample_submission(form_spec_for(task), date(2026, 1, 5)), ria)
        db.session.commit()
        db.engine.dispose()

    # The workers run at the real "now", long after the 8-week timers (set in January) fell due.
    env = {**os.environ, "PORTAL_DATABASE_URL": scratch_url, "PORTAL_SEAL_KEY": seal_config["SEAL_KEY"],
           "PORTAL_SEAL_CERT": seal_config["SEAL_CERT"], "PORTAL_SECRET_KEY": "t"}
    workers = [subprocess.Popen([sys.executable, "-m", "portal.command", "timers", "run", "--once"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(WORKERS)]
    outputs = [worker.communicate(timeout=240) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    fired = [int(out.split("fired timers of ")[1].split(" ")[0]) for out, _err in outputs]
    assert sum(fired) == CASES, fired  # every due case exactly once across all workers
    assert sum(1 for f in fired if f) >= 2, f"the work was not shared between workers: {fired}"

    engine = sa.create_engine(scratch_url)
    with engine.connect() as conn:
        escalations = conn.execute(sa.text(
            "SELECT case_id, count(*) FROM human_task WHERE bpmn_id = 'intake_uitloop_bespreken' GROUP BY case_id"
        )).all()
        due_left = conn.execute(
            sa.text("SELECT count(*) FROM workflow_instance WHERE next_timer_due <= now()")).scalar()
    engine.dispose()
    assert len(escalations) == CASES and {count for _case, count in escalations} == {1}
    assert due_left == 0
