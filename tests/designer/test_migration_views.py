"""Moving running cases from the browser: a dry run queued for the worker with its verdicts per case
(counts, reasons in Dutch, paginated), the migration as a job with its progress, and a rollback; roles,
CSRF, audit. The worker is not running in tests: the job function is called directly."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.designer.verdicts import explain
from portal.extensions import db
from portal.processes.services import deploy
from portal.tasks import migration_jobs as jobs
from portal.tasks.models import ProcessMigration, WorkflowInstance
from portal.worker import run_due_migrations
from tests.conftest import csrf_token
from tests.tasks.test_migration import next_version, walk


@pytest.fixture
def three(app, create_user, create_case, tmp_path):
    """Three cases on version N (one standing on a step N+1 removes), then N+1 deployed."""
    ria = create_user("ria")
    at = {stage: create_case(ria, last=stage) for stage in ("start", "verhuizing", "ladder")}
    for stage, case in at.items():
        walk(case, stage, ria, None)
    old = db.session.scalar(select(WorkflowInstance.process_version_id).where(
        WorkflowInstance.case_id == at["start"].id))
    app.config["WORKFLOWS_DIR"], previous = str(next_version(tmp_path)), app.config["WORKFLOWS_DIR"]
    try:
        new, _ = deploy(note="N+1")
    finally:
        app.config["WORKFLOWS_DIR"] = previous
    return at, old, new


def on_version(case_ids) -> set[int]:
    return set(db.session.scalars(select(WorkflowInstance.process_version_id)
                                  .where(WorkflowInstance.case_id.in_(case_ids))))


def test_dry_run_migrate_with_progress_and_roll_back_from_the_browser(login, create_user, three, monkeypatch):
    at, old, new = three
    ids = [c.id for c in at.values()]
    client = login(create_user("otto", role="ontwerper", code=None))
    assert client.get("/ontwerp/migraties").status_code == 200
    token = csrf_token(client, "/ontwerp/migraties")
    assert client.post("/ontwerp/migraties", data={"van": str(old), "naar": str(new.id)}).status_code == 400  # CSRF
    same = client.post("/ontwerp/migraties", data={"van": str(new.id), "naar": str(new.id), "csrf_token": token})
    assert same.status_code == 422 and "twee verschillende versies" in same.get_data(as_text=True)

    started = client.post("/ontwerp/migraties", data={"van": str(old), "naar": str(new.id), "csrf_token": token})
    assert started.status_code == 302
    dry = db.session.scalar(select(ProcessMigration).order_by(ProcessMigration.id.desc()).limit(1))
    assert (dry.dry_run, dry.status) == (True, "queued")
    page = f"/ontwerp/migraties/{dry.id}"
    waiting = client.get(page).get_data(as_text=True)
    assert "Ververs de voortgang" in waiting and 'aria-live="polite"' in waiting
    assert "migration-progress.js" in waiting and "http-equiv" not in waiting
    assert client.get(f"{page}/voortgang").get_json()["finished"] is False

    assert run_due_migrations() == 1  # the worker's sweep: the dry run
    db.session.expire_all()
    html = client.get(page).get_data(as_text=True)
    assert "Kan verplaatst worden" in html and "Kan niet verplaatst worden" in html
    assert "Het dossier staat op verhuizing_registreren" in html  # the verdict in Dutch
    assert at["verhuizing"].reference in html
    blocked = client.get(f"{page}?uitkomst=blocked").get_data(as_text=True)
    assert at["verhuizing"].reference in blocked and at["start"].reference not in blocked
    assert on_version(ids) == {old}  # a dry run changes nothing
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "designer.migration",
                                                      AuditEvent.subject == f"process_migration:{dry.id}"))

    # migrate every movable case: a job; one case per chunk and no time left, so it stops after each
    moved = client.post(f"{page}/verplaatsen", data={"csrf_token": csrf_token(client, page)})
    assert moved.status_code == 302
    run = db.session.scalar(select(ProcessMigration).order_by(ProcessMigration.id.desc()).limit(1))
    assert (run.dry_run, run.status) == (False, "queued")
    monkeypatch.setattr("portal.tasks.migration.CHUNK", 1)
    monkeypatch.setattr(jobs, "SLICE_SECONDS", 0.0)
    assert run_due_migrations() == 1
    progress = client.get(f"/ontwerp/migraties/{run.id}/voortgang").get_json()
    assert (progress["done"], progress["total"], progress["finished"]) == (1, 3, False)
    assert "1 van 3 dossiers" in client.get(f"/ontwerp/migraties/{run.id}").get_data(as_text=True)
    while run_due_migrations():
        pass
    db.session.expire_all()
    progress = client.get(f"/ontwerp/migraties/{run.id}/voortgang").get_json()
    assert (progress["moved"], progress["refused"], progress["failed"], progress["finished"]) == (2, 1, 0, True)
    assert on_version([at["start"].id, at["ladder"].id]) == {new.id} and on_version([at["verhuizing"].id]) == {old}
    result = client.get(f"/ontwerp/migraties/{run.id}").get_data(as_text=True)
    assert "Verplaatst" in result and "Terugdraaien" in result

    # roll back, after a confirmation
    confirm = f"/ontwerp/migraties/{run.id}/terugdraaien"
    assert "Ja, draai terug" in client.get(confirm).get_data(as_text=True)
    assert client.post(confirm, data={}).status_code == 400
    assert client.post(confirm, data={"csrf_token": csrf_token(client, confirm)}).status_code == 302
    assert db.session.get(ProcessMigration, run.id).status == "rollback_queued"
    again = client.post(confirm, data={"csrf_token": csrf_token(client, confirm)})
    assert again.status_code == 422  # queued already
    monkeypatch.setattr(jobs, "SLICE_SECONDS", 60.0)
    assert run_due_migrations() == 1
    db.session.expire_all()
    assert db.session.get(ProcessMigration, run.id).status == "rolled_back" and on_version(ids) == {old}
    done = client.get(f"/ontwerp/migraties/{run.id}/voortgang").get_json()
    assert (done["restored"], done["finished"]) == (2, True)
    assert run_due_migrations() == 0  # nothing left
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "processes.migrate_queue",
                                                      AuditEvent.subject == f"process_migration:{run.id}:rollback"))


def test_roles_and_bad_input(login, create_user, three):
    _at, old, new = three
    run = jobs.queue_run(new, None, None, dry=True)
    # a run spans every municipality: the beheerder (of one) does not see it, nor start one
    beheerder = login(create_user("bea", role="beheerder"), new_client=True)
    assert beheerder.get("/ontwerp/migraties").status_code == 403
    assert beheerder.get(f"/ontwerp/migraties/{run.id}").status_code == 403
    token = csrf_token(beheerder, "/ontwerp/instellingen")
    assert beheerder.post("/ontwerp/migraties", data={"van": "alle", "naar": str(new.id),
                                                      "csrf_token": token}).status_code == 403
    regisseur = login(create_user("ria2"), new_client=True)
    assert regisseur.get("/ontwerp/migraties").status_code == 403
    assert regisseur.get(f"/ontwerp/migraties/{run.id}/voortgang").status_code == 403
    otto = login(create_user("otto", role="ontwerper", code=None), new_client=True)
    assert otto.get("/ontwerp/migraties/999999").status_code == 404
    assert otto.get(f"/ontwerp/migraties/{run.id}?page=abc&uitkomst=<script>").status_code == 200
    token = csrf_token(otto, "/ontwerp/migraties")
    assert otto.post("/ontwerp/migraties", data={"van": "x", "naar": "abc", "csrf_token": token}).status_code == 422
    # a dry run that has not finished cannot be turned into a migration; a dry run has no rollback
    page = f"/ontwerp/migraties/{run.id}"
    assert otto.post(f"{page}/verplaatsen", data={"csrf_token": csrf_token(otto, page)}).status_code == 409
    assert otto.get(f"{page}/terugdraaien").status_code == 404


def test_a_run_that_keeps_failing_is_set_broken(three, monkeypatch):
    _at, _old, new = three
    run = jobs.queue_run(new, None, None, dry=False)

    def broken(*_args, **_kwargs):
        raise RuntimeError("database away")

    monkeypatch.setattr(jobs, "run_migration", broken)
    for _ in range(ProcessMigration.MAX_ATTEMPTS):
        db.session.get(ProcessMigration, run.id).leased_until = utcnow() - timedelta(seconds=1)  # back-off over
        assert jobs.run_one_job() == run.id
    db.session.expire_all()
    run = db.session.get(ProcessMigration, run.id)
    assert run.status == "broken" and "database away" in run.last_error
    assert jobs.run_one_job() is None


def test_verdicts_read_in_dutch_and_unknown_ones_stay():
    assert explain("the case stands on verhuizing_registreren (Verhuizing registreren), which the new version "
                   "removed") == ("Het dossier staat op verhuizing_registreren (Verhuizing registreren), en die stap "
                              "bestaat niet meer in de nieuwe versie.")
    assert "houdt zijn vervaldatum" in explain(
        'timer t (Herinnering): keeps its due date (was "P14D", now "P10D" from its next start)')
    assert explain("KeyError: 'x'") == "KeyError: 'x'"


def test_the_worker_comes_back_at_once_while_a_migration_has_work_left():
    from portal.worker import BUSY_PAUSE, pause_after

    assert pause_after({"fire_due_timers": 3, "run_due_migrations": 1}, 30) == BUSY_PAUSE
    assert pause_after({"fire_due_timers": 3, "run_due_migrations": 0}, 30) == 30


def test_a_double_click_queues_one_run(login, create_user, three):
    """"Start" clicked twice (or by two designers) while the first run waits: one run, both land on it."""
    _at, old, new = three
    client = login(create_user("otto", role="ontwerper", code=None))
    token = csrf_token(client, "/ontwerp/migraties")
    answers = [client.post("/ontwerp/migraties", data={"van": str(old), "naar": str(new.id), "csrf_token": token})
               for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302] and answers[0].location == answers[1].location
    assert db.session.scalar(select(func.count()).select_from(ProcessMigration)) == 1
    run_due_migrations()  # once the first has finished, a new one may be queued again
    third = client.post("/ontwerp/migraties", data={"van": str(old), "naar": str(new.id), "csrf_token": token})
    assert third.status_code == 302 and third.location != answers[0].location
