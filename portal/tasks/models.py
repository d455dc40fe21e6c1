"""Workflow state per case and the SQL projection of its ready user tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cases.models import Case
from portal.db import TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db
from portal.processes.models import ProcessVersion


class WorkflowInstance(TimestampMixin, db.Model):
    """The serialized engine state of one case, pinned to the process version it runs on."""

    __tablename__ = "workflow_instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), unique=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    serializer_version: Mapped[str] = mapped_column(String(40))
    #: Optimistic locking: an UPDATE from a stale copy fails instead of overwriting.
    lock_version: Mapped[int] = mapped_column(default=1)
    #: When the earliest waiting timer fires; the timer worker selects on it.
    next_timer_due: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    completed: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str | None] = mapped_column(String(2000))

    case: Mapped[Case] = relationship()
    process_version: Mapped[ProcessVersion] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}


class HumanTask(TimestampMixin, db.Model):
    """A user task of a case: open (ready) ones drive the worklists; completed ones are the record."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_open_role", "status", "role", "due_at"),
        Index("ix_human_task_case", "case_id", "status"),
        # The worklists: a municipality's open tasks of one role, assigned to one user (or to nobody);
        # with due_at, bpmn_id and case_id the worklists' task lookups, the team workload's counts per
        # regisseur (late ones too) and the team list's open steps come from the index alone.
        Index("ix_human_task_worklist", "municipality_id", "role", "status", "assignee_id", "due_at", "bpmn_id",
              "case_id"),
    )

    OPEN, COMPLETED, CANCELLED = "open", "completed", "cancelled"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"))
    #: Denormalised from the case so worklists filter without a join.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    engine_task_id: Mapped[str] = mapped_column(String(36), unique=True)
    #: For a task a boundary event opened (an escalation): the engine id of the task that event is
    #: attached to (e.g. the concern's zorg_behandelen), so the escalation can show what it is about.
    origin_task_id: Mapped[str | None] = mapped_column(String(36))
    #: For a task a boundary *timer* opened: the moment that timer was due, i.e. the deadline that passed
    #: (the escalation says which deadline and how late, :mod:`portal.tasks.escalations`).
    origin_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bpmn_id: Mapped[str] = mapped_column(String(120))
    process_id: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(80))
    role: Mapped[str | None] = mapped_column(String(20))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    #: Raw form input saved as a draft (field name → list of submitted strings); nothing is lost.
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    draft_saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The validated data the task was completed with (the legal record of this step).
    submitted_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    case: Mapped[Case] = relationship()
    assignee = relationship("User", foreign_keys=[assignee_id])
    completed_by = relationship("User", foreign_keys=[completed_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == self.OPEN


class DeadlineExtension(db.Model):
    """A teamleider moved the deadline of a case's open steps from an escalation, with a reason.

    Append-only: the record of who gave more time, why, and from which date to which. The steps'
    ``due_at`` itself is moved (worklists and urgency read it); the legal deadlines of the case (the PIP
    term) are not, the law sets them.
    """

    __tablename__ = "deadline_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), index=True)
    #: The escalation task the extension was given from.
    escalation_task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), index=True)
    #: The rule that fired (the escalation's BPMN id, e.g. "escalatie_pip_te_laat").
    rule: Mapped[str] = mapped_column(String(120))
    previous_due: Mapped[date | None] = mapped_column()
    new_due: Mapped[date] = mapped_column()
    reason: Mapped[str] = mapped_column(String(1000))
    #: The open steps whose deadline moved (human_task ids).
    task_ids: Mapped[list[int]] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by = relationship("User", foreign_keys=[created_by_id])


class ProcessMigration(TimestampMixin, db.Model):
    """One run of moving running cases to another process version (``portal bpmn migrate``), or a dry
    run of it (``dry_run``: nothing moves; each case gets a ``movable`` or ``blocked`` row).

    The CLI runs it at once; the designer's page queues it (``queued``, ``rollback_queued``) for the
    worker, which leases it and commits after every chunk, so ``moved + refused + failed`` of
    ``total`` is the progress (in a dry run: ``moved`` counts movable cases, ``refused`` blocked ones).
    """

    __tablename__ = "process_migration"

    RUNNING, DONE, ROLLED_BACK = "running", "done", "rolled_back"
    QUEUED, ROLLBACK_QUEUED, ROLLING_BACK, BROKEN = "queued", "rollback_queued", "rolling_back", "broken"
    MAX_ATTEMPTS = 3

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Only cases on this version were considered (None: every version but the target).
    source_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    target_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(20), default=RUNNING)
    moved: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rolled_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rolled_back_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    dry_run: Mapped[bool] = mapped_column(default=False)
    #: Cases the run considers (set when it starts): the progress is counted against it.
    total: Mapped[int | None] = mapped_column()
    #: The worker's lease on a queued run, its attempts and its last error (a run that keeps failing
    #: as a whole — not one case — is set ``broken`` after MAX_ATTEMPTS).
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(1000))


class CaseMigration(TimestampMixin, db.Model):
    """What a migration did to one case, with the state it had before (for a rollback)."""

    __tablename__ = "case_migration"
    __table_args__ = (Index("ix_case_migration_run", "migration_id", "outcome"),)

    MOVED, REFUSED, FAILED, ROLLED_BACK, KEPT = "moved", "refused", "failed", "rolled_back", "kept"
    #: A dry run's verdicts (nothing moved).
    MOVABLE, BLOCKED = "movable", "blocked"

    id: Mapped[int] = mapped_column(primary_key=True)
    migration_id: Mapped[int] = mapped_column(ForeignKey("process_migration.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    #: Why the case could not move, or what changed for it (designer's words).
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    old_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    #: The state before the move (moved cases only): what a rollback restores.
    old_state: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    old_next_timer_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    old_stage: Mapped[str | None] = mapped_column(String(80))
    old_stage_label: Mapped[str | None] = mapped_column(String(200))
    old_stage_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The instance's lock_version right after the move: a rollback only restores a case that has
    #: not moved on since (otherwise it would undo someone's work).
    new_lock_version: Mapped[int | None] = mapped_column()
    #: Human tasks the move opened and cancelled (ids), undone by a rollback.
    opened_task_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    cancelled_task_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


class CaseWait(db.Model):
    """A case waiting at a timer or for a signal (no user task): the projection of the engine's wait
    states, so the process designer's heatmap counts them in SQL. Written with ``human_task``."""

    __tablename__ = "case_wait"
    __table_args__ = (Index("ix_case_wait_version_node", "process_version_id", "process_id", "bpmn_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    process_id: Mapped[str] = mapped_column(String(120))
    bpmn_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    timer: Mapped[bool] = mapped_column(default=False)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
