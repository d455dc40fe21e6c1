"""Moving running cases to another deployed process version, and back (DESIGN.md §3 "Versions and migration").

A migration is a batch: every case is checked (:func:`portal.engine.migration.check`), the movable ones
are moved one by one, each in its own savepoint, so one failing case never stops the others; each
moved case keeps its previous state in ``case_migration`` for a rollback. The case row is locked
first, as everywhere. Waiting timers keep their due dates and open tasks their ids, drafts and
assignees (see the engine module); the move and its rollback are audited per case.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import exists, select

from portal.audit.services import record
from portal.cases.models import Case
from portal.cases.services import lock_case
from portal.db import utcnow
from portal.engine import DeployedProcess, EngineError
from portal.engine.migration import NotMovable, Verdict, check, migrate
from portal.extensions import db
from portal.processes.models import ProcessVersion
from portal.processes.services import runtime_for, runtime_for_id
from portal.refusal import Refused
from portal.tasks.models import CaseMigration, CaseWait, HumanTask, ProcessMigration, WorkflowInstance
from portal.tasks.workflow import save_moved
from portal.tasks.worklist import refresh_step_due

logger = logging.getLogger(__name__)

#: Moved cases per commit in a batch (the caller commits between chunks; see ``on_chunk``).
CHUNK = 100


@dataclass(frozen=True)
class CaseVerdict:
    case_id: int
    reference: str
    from_version: int
    verdict: Verdict


def _candidates(target: ProcessVersion, source: ProcessVersion | None, case_ids: list[int] | None,
                skip_run: ProcessMigration | None = None):
    """Running cases not on ``target`` (on ``source``; among ``case_ids``; not yet handled by ``skip_run``,
    so that a run the worker picks up again goes on where it stopped)."""
    query = (select(WorkflowInstance.case_id, Case.reference, WorkflowInstance.process_version_id)
             .join(Case, Case.id == WorkflowInstance.case_id)
             .where(WorkflowInstance.completed.is_(False), WorkflowInstance.process_version_id != target.id)
             .order_by(WorkflowInstance.case_id))
    if source is not None:
        query = query.where(WorkflowInstance.process_version_id == source.id)
    if case_ids:
        query = query.where(WorkflowInstance.case_id.in_(case_ids))
    if skip_run is not None and skip_run.id is not None:
        query = query.where(~exists().where(CaseMigration.migration_id == skip_run.id,
                                            CaseMigration.case_id == WorkflowInstance.case_id))
    return db.session.execute(query).all()


def dry_run(target: ProcessVersion, source: ProcessVersion | None = None,
            case_ids: list[int] | None = None, skip_run: ProcessMigration | None = None) -> Iterator[CaseVerdict]:
    """Per running case (not on ``target``): whether it can move and why not. Changes nothing."""
    target_runtime = runtime_for(target)
    runtimes: dict[int, DeployedProcess] = {}
    candidates = _candidates(target, source, case_ids, skip_run)
    for start in range(0, len(candidates), CHUNK):  # the states of a chunk in one query, not one per case
        chunk = candidates[start:start + CHUNK]
        states = dict(db.session.execute(select(WorkflowInstance.case_id, WorkflowInstance.state)
                                          .where(WorkflowInstance.case_id.in_([c[0] for c in chunk]))).all())
        for case_id, reference, version_id in chunk:
            if version_id not in runtimes:  # each version's runtime (its deserialized specs) fetched once
                runtimes[version_id] = runtime_for_id(version_id)
            try:
                verdict = check(runtimes[version_id], states.pop(case_id), target_runtime)
            except EngineError as exc:
                verdict = Verdict(False, (f"the stored state could not be read: {exc}",))
            yield CaseVerdict(case_id, reference, version_id, verdict)


class MigrationRefused(Refused):
    pass


def migrate_cases(target: ProcessVersion, source: ProcessVersion | None = None, case_ids: list[int] | None = None,
                  user_id: int | None = None, on_chunk: Callable[[ProcessMigration, int, int], None] | None = None
                  ) -> ProcessMigration:
    """Move every movable running case to ``target``; refused and failed cases stay where they are.

    :param on_chunk: called after every ``CHUNK`` cases with (migration, done, total); the CLI commits
        there and prints progress.
    """
    run = ProcessMigration(source_version_id=source.id if source else None, target_version_id=target.id,
                           started_by_id=user_id, status=ProcessMigration.RUNNING)
    db.session.add(run)
    db.session.flush()
    return run_migration(run, case_ids, on_chunk)


def run_migration(run: ProcessMigration, case_ids: list[int] | None = None,
                  on_chunk: Callable[[ProcessMigration, int, int], None] | None = None) -> ProcessMigration:
    """Carry out ``run`` (new, or picked up again by the worker: cases it handled already are skipped)."""
    target = db.session.get(ProcessVersion, run.target_version_id)
    source = db.session.get(ProcessVersion, run.source_version_id) if run.source_version_id else None
    user_id = run.started_by_id
    candidates = _candidates(target, source, case_ids, run)
    handled = run.moved + run.refused + run.failed
    if run.total is None or handled == 0:
        run.total = handled + len(candidates)
        record("write", f"process_migration:{run.id}", "processes.migrate", user_id=user_id,
               detail={"target": target.id, "source": source.id if source else None, "cases": len(candidates)})
    db.session.flush()
    for done, (case_id, _reference, version_id) in enumerate(candidates, start=1):
        _move_one(run, target, case_id, version_id, user_id)
        if on_chunk and (done % CHUNK == 0 or done == len(candidates)):
            on_chunk(run, done, len(candidates))
    run.status, run.finished_at, run.leased_until = ProcessMigration.DONE, utcnow(), None
    db.session.flush()
    return run


def _move_one(run: ProcessMigration, target: ProcessVersion, case_id: int, listed_version_id: int,
              user_id: int | None) -> None:
    savepoint = db.session.begin_nested()
    try:
        case = lock_case(case_id)
        # what the row holds now, under the case lock (one query, not a load and a refresh)
        instance = db.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == case_id)
                                     .execution_options(populate_existing=True))
        if instance.process_version_id != listed_version_id or instance.completed:
            # another migration (or the case's own end) got here first, between listing and locking
            raise NotMovable(Verdict(False, ("the case moved to another version or ended after this run listed it",)))
        old_version = instance.process_version
        before = {"state": instance.state, "due": instance.next_timer_due, "stage": case.stage,
                  "label": case.stage_label, "since": case.stage_since}
        open_before = set(db.session.scalars(select(HumanTask.id).where(HumanTask.case_id == case_id,
                                                                        HumanTask.status == HumanTask.OPEN)))
        result, verdict = migrate(runtime_for(old_version), instance.state, runtime_for(target))
        opened = save_moved(case, instance, target, result)
        db.session.flush()
        still_open = set(db.session.scalars(select(HumanTask.id).where(HumanTask.case_id == case_id,
                                                                       HumanTask.status == HumanTask.OPEN)))
        db.session.add(CaseMigration(
            migration_id=run.id, case_id=case_id, outcome=CaseMigration.MOVED, notes=list(verdict.notes),
            old_version_id=old_version.id, old_state=before["state"], old_next_timer_due=before["due"],
            old_stage=before["stage"], old_stage_label=before["label"], old_stage_since=before["since"],
            new_lock_version=instance.lock_version, opened_task_ids=[t.id for t in opened],
            cancelled_task_ids=sorted(open_before - still_open)))
        record("write", "workflow:migrate", "processes.migrate", user_id=user_id, case_id=case_id,
               detail={"migration": run.id, "from": old_version.id, "to": target.id})
        savepoint.commit()
        run.moved += 1
    except NotMovable as exc:
        savepoint.rollback()
        _not_moved(run, case_id, CaseMigration.REFUSED, list(exc.verdict.blockers))
        run.refused += 1
    except Exception as exc:  # one failing case never stops the batch  # noqa: BLE001
        savepoint.rollback()
        logger.warning("migration %s: case %s failed: %s", run.id, case_id, type(exc).__name__)
        _not_moved(run, case_id, CaseMigration.FAILED, [f"{type(exc).__name__}: {str(exc)[:300]}"])
        run.failed += 1


def _not_moved(run: ProcessMigration, case_id: int, outcome: str, reasons: list[str]) -> None:
    version_id = db.session.scalar(select(WorkflowInstance.process_version_id)
                                   .where(WorkflowInstance.case_id == case_id))
    db.session.add(CaseMigration(migration_id=run.id, case_id=case_id, outcome=outcome, reasons=reasons,
                                 old_version_id=version_id))
    db.session.flush()


def rollback(migration_id: int, user_id: int | None = None,
             on_chunk: Callable[[int, int], None] | None = None) -> tuple[ProcessMigration, int, int]:
    """Put every case the migration moved back in the exact state it had before.

    A case that moved on since (someone completed a task, a timer fired) is kept as it is and
    reported: restoring it would undo that work.

    :returns: the migration, cases restored, cases kept.
    """
    run = db.session.get(ProcessMigration, migration_id)
    if run is None:
        raise MigrationRefused(f"migration {migration_id} does not exist")
    if run.status == ProcessMigration.ROLLED_BACK:
        raise MigrationRefused(f"migration {migration_id} was already rolled back")
    if run.dry_run:
        raise MigrationRefused(f"migration {migration_id} is a dry run: it moved nothing")
    moved = list(db.session.scalars(select(CaseMigration.id).where(
        CaseMigration.migration_id == run.id, CaseMigration.outcome == CaseMigration.MOVED)
        .order_by(CaseMigration.case_id)))
    restored = kept = 0
    for done, row_id in enumerate(moved, start=1):
        row = db.session.get(CaseMigration, row_id)
        case = lock_case(row.case_id)
        instance = db.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == case.id))
        db.session.refresh(instance)
        if instance.lock_version != row.new_lock_version or instance.process_version_id != run.target_version_id:
            row.outcome = CaseMigration.KEPT
            row.reasons = [*row.reasons, "the case moved on after the migration; restoring it would undo that work"]
            kept += 1
        else:
            _restore(case, instance, row)
            record("write", "workflow:migrate-rollback", "processes.migrate", user_id=user_id, case_id=case.id,
                   detail={"migration": run.id, "to": row.old_version_id})
            restored += 1
        if on_chunk and (done % CHUNK == 0 or done == len(moved)):
            on_chunk(done, len(moved))
    run.status, run.rolled_back_at, run.rolled_back_by_id = ProcessMigration.ROLLED_BACK, utcnow(), user_id
    run.leased_until = None
    record("write", f"process_migration:{run.id}:rollback", "processes.migrate", user_id=user_id,
           detail={"restored": restored, "kept": kept})
    db.session.flush()
    return run, restored, kept


def _restore(case: Case, instance: WorkflowInstance, row: CaseMigration) -> None:
    instance.state = row.old_state
    instance.process_version_id = row.old_version_id
    instance.next_timer_due = row.old_next_timer_due
    instance.completed = False
    case.stage, case.stage_label, case.stage_since = row.old_stage, row.old_stage_label, row.old_stage_since
    for task in db.session.scalars(select(HumanTask).where(HumanTask.id.in_(row.opened_task_ids))):
        task.status = HumanTask.CANCELLED  # opened by the move, untouched since (the case did not move on)
    for task in db.session.scalars(select(HumanTask).where(HumanTask.id.in_(row.cancelled_task_ids))):
        task.status = HumanTask.OPEN
    for task in db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                           HumanTask.status == HumanTask.OPEN)):
        task.process_version_id = row.old_version_id
    for wait in db.session.scalars(select(CaseWait).where(CaseWait.case_id == case.id)):
        wait.process_version_id = row.old_version_id  # the designer's counts follow the case back
    refresh_step_due(case)
    row.outcome = CaseMigration.ROLLED_BACK
    db.session.flush()
