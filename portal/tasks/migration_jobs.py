"""Migrations as background jobs: the designer's page queues a dry run, a migration or a rollback; the
worker (:func:`portal.worker.run_due_migrations`) leases the run, carries it out chunk by chunk and
commits after every chunk, so the page shows the progress (``moved + refused + failed`` of ``total``).

A worker that dies leaves its lease to run out; the next one goes on where it stopped (cases the run
handled already are skipped). A run that fails as a whole (not one case: those are recorded and the
batch goes on) is retried with back-off and set ``broken`` after ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from portal.audit.services import record
from portal.db import utcnow
from portal.extensions import db
from portal.processes.models import ProcessVersion
from portal.tasks.migration import CHUNK, MigrationRefused, _candidates, dry_run, rollback, run_migration
from portal.tasks.models import CaseMigration, ProcessMigration

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
#: Seconds of work per worker sweep (see ``run_job``).
SLICE_SECONDS = 20.0
WAITING = (ProcessMigration.QUEUED, ProcessMigration.ROLLBACK_QUEUED)
WORKING = (ProcessMigration.RUNNING, ProcessMigration.ROLLING_BACK)


def queue_run(target: ProcessVersion, source: ProcessVersion | None, user_id: int, *,
              dry: bool) -> ProcessMigration:
    """Queue a dry run (``dry``) or a migration of every running case (on ``source``) to ``target``; the same
    run still queued or running is returned instead of a second one."""
    if source is not None and source.id == target.id:
        raise MigrationRefused("source and target are the same version")
    waiting = db.session.scalar(select(ProcessMigration).where(  # a double click, or two designers at once
        ProcessMigration.target_version_id == target.id, ProcessMigration.dry_run.is_(dry),
        ProcessMigration.source_version_id.is_(None) if source is None
        else ProcessMigration.source_version_id == source.id,
        ProcessMigration.status.in_((ProcessMigration.QUEUED, ProcessMigration.RUNNING))).limit(1))
    if waiting is not None:
        return waiting
    run = ProcessMigration(source_version_id=source.id if source else None, target_version_id=target.id,
                           started_by_id=user_id, status=ProcessMigration.QUEUED, dry_run=dry, attempts=0)
    db.session.add(run)
    db.session.flush()
    record("write", f"process_migration:{run.id}", "processes.migrate_queue", user_id=user_id,
           detail={"target": target.id, "source": source.id if source else None, "dry_run": dry})
    return run


def queue_rollback(run_id: int, user_id: int) -> ProcessMigration:
    """Queue putting back every case ``run`` moved.

    :raises MigrationRefused: no such run, a dry run, not finished, or rolled back (or queued) already.
    """
    run = db.session.scalar(select(ProcessMigration).where(ProcessMigration.id == run_id).with_for_update())
    if run is None:
        raise MigrationRefused(f"migration {run_id} does not exist")
    if run.dry_run:
        raise MigrationRefused(f"migration {run_id} is a dry run: it moved nothing")
    if run.status != ProcessMigration.DONE:
        raise MigrationRefused(f"migration {run_id} is {run.status}, not done")
    run.status, run.rolled_back_by_id, run.attempts, run.leased_until = ProcessMigration.ROLLBACK_QUEUED, \
        user_id, 0, None
    db.session.flush()
    record("write", f"process_migration:{run.id}:rollback", "processes.migrate_queue", user_id=user_id,
           detail={"rollback": True})
    return run


def claim_next(now: datetime) -> int | None:
    """Lease the oldest queued run, or a worker's run whose lease ran out (not a run the CLI is doing:
    that one has no lease)."""
    run = db.session.scalar(
        select(ProcessMigration).where(or_(
            and_(ProcessMigration.status.in_(WAITING),
                 or_(ProcessMigration.leased_until.is_(None), ProcessMigration.leased_until < now)),
            and_(ProcessMigration.status.in_(WORKING), ProcessMigration.leased_until.is_not(None),
                 ProcessMigration.leased_until < now)))
        .order_by(ProcessMigration.id).limit(1).with_for_update(skip_locked=True))
    if run is None:
        return None
    run.leased_until, run.attempts = now + LEASE, run.attempts + 1
    db.session.flush()
    return run.id


class _Pause(Exception):
    """The run's time slice is used up: it is committed up to here and goes on at the next sweep."""


def run_job(run_id: int, commit: Callable[[], None] = lambda: db.session.commit(),
            budget: float | None = None) -> ProcessMigration:
    """Carry out a leased run, calling ``commit`` after every chunk (the lease is renewed there).

    :param budget: seconds; after the chunk that passes it the run stops (committed) and is released,
        so that the worker's other sweeps (timers, mail) are not kept waiting by a batch of 10,000
        cases. The next sweep claims it again and goes on where it stopped.
    """
    run = db.session.get(ProcessMigration, run_id)
    deadline = time.monotonic() + budget if budget is not None else None

    def chunk_done(*_args) -> None:
        run.leased_until = utcnow() + LEASE
        commit()
        if deadline is not None and time.monotonic() > deadline:
            raise _Pause

    try:
        return _run_job(run, commit, chunk_done)
    except _Pause:
        run.leased_until = utcnow()  # free to be claimed at once
        commit()
        return run


def _run_job(run: ProcessMigration, commit: Callable[[], None], chunk_done: Callable[..., None]) -> ProcessMigration:
    if run.status in (ProcessMigration.ROLLBACK_QUEUED, ProcessMigration.ROLLING_BACK):
        run.status = ProcessMigration.ROLLING_BACK
        commit()
        rollback(run.id, user_id=run.rolled_back_by_id, on_chunk=chunk_done)
    elif run.dry_run:
        run.status = ProcessMigration.RUNNING
        commit()
        _record_verdicts(run, chunk_done)
    else:
        run.status = ProcessMigration.RUNNING
        commit()
        run_migration(run, on_chunk=chunk_done)
    commit()
    return run


def _record_verdicts(run: ProcessMigration, chunk_done: Callable[[], None]) -> None:
    target = db.session.get(ProcessVersion, run.target_version_id)
    source = db.session.get(ProcessVersion, run.source_version_id) if run.source_version_id else None
    handled = run.moved + run.refused + run.failed
    if run.total is None or handled == 0:
        run.total = handled + len(_candidates(target, source, None, run))
        db.session.flush()
    for count, verdict in enumerate(dry_run(target, source, skip_run=run), start=1):
        movable = verdict.verdict.movable
        db.session.add(CaseMigration(
            migration_id=run.id, case_id=verdict.case_id, old_version_id=verdict.from_version,
            outcome=CaseMigration.MOVABLE if movable else CaseMigration.BLOCKED,
            reasons=list(verdict.verdict.blockers), notes=list(verdict.verdict.notes)))
        if movable:
            run.moved += 1
        else:
            run.refused += 1
        if count % CHUNK == 0:
            db.session.flush()
            chunk_done()
    run.status, run.finished_at, run.leased_until = ProcessMigration.DONE, utcnow(), None
    db.session.flush()


def job_failed(run_id: int, error: str, now: datetime) -> None:
    run = db.session.scalar(select(ProcessMigration).where(ProcessMigration.id == run_id).with_for_update())
    if run is None:
        return
    run.last_error = error[:1000]
    if run.attempts >= ProcessMigration.MAX_ATTEMPTS:
        run.status, run.leased_until = ProcessMigration.BROKEN, None
    else:
        run.leased_until = now + timedelta(minutes=2 ** run.attempts)  # claimed again when this runs out
    db.session.flush()


def run_one_job() -> int | None:
    """The worker's step: claim one run (commit), carry it out (committing per chunk)."""
    run_id = claim_next(utcnow())
    db.session.commit()
    if run_id is None:
        return None
    try:
        run_job(run_id, budget=SLICE_SECONDS)
    except Exception as exc:  # the run as a whole failed (a database error, a bug): retried later
        db.session.rollback()
        logger.exception("worker: migration %s failed", run_id)
        job_failed(run_id, f"{type(exc).__name__}: {exc}", utcnow())
    return run_id


# -- what the designer's page shows --------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    status: str
    dry_run: bool
    total: int | None
    done: int
    moved: int
    refused: int
    failed: int
    #: For a rollback: cases put back and cases kept (they moved on since).
    restored: int
    kept: int

    @property
    def finished(self) -> bool:
        return self.status in (ProcessMigration.DONE, ProcessMigration.ROLLED_BACK, ProcessMigration.BROKEN)

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.finished else 0
        return min(100, round(100 * self.done / self.total))

    def as_dict(self) -> dict:
        return {"status": self.status, "dry_run": self.dry_run, "total": self.total, "done": self.done,
                "moved": self.moved, "refused": self.refused, "failed": self.failed,
                "restored": self.restored, "kept": self.kept, "finished": self.finished, "percent": self.percent}


def progress(run: ProcessMigration) -> Progress:
    outcomes = dict(db.session.execute(select(CaseMigration.outcome, func.count()).where(
        CaseMigration.migration_id == run.id).group_by(CaseMigration.outcome)).all())
    restored, kept = outcomes.get(CaseMigration.ROLLED_BACK, 0), outcomes.get(CaseMigration.KEPT, 0)
    done = run.moved + run.refused + run.failed
    total = run.total
    if run.status in (ProcessMigration.ROLLBACK_QUEUED, ProcessMigration.ROLLING_BACK):
        done, total = restored + kept, run.moved
    return Progress(run.status, run.dry_run, total, done, run.moved, run.refused, run.failed, restored, kept)


def outcome_counts(run: ProcessMigration) -> dict[str, int]:
    return dict(db.session.execute(select(CaseMigration.outcome, func.count()).where(
        CaseMigration.migration_id == run.id).group_by(CaseMigration.outcome)).all())


def reason_counts(run: ProcessMigration, outcomes: tuple[str, ...]) -> list[tuple[str, int]]:
    """How many cases gave each reason (a case with two blockers counts for both), most first."""
    counter: Counter[str] = Counter()
    for reasons in db.session.scalars(select(CaseMigration.reasons).where(
            CaseMigration.migration_id == run.id, CaseMigration.outcome.in_(outcomes))):
        counter.update(set(reasons or ()))
    return counter.most_common()
