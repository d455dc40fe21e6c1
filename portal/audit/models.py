"""The audit trail: every read and write of a case (who, when, what, why)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class AuditEvent(db.Model):
    """Append-only. Rows are never updated by the application; they are deleted only by the retention
    purge (``portal audit purge``, :mod:`portal.retention.audit`).

    On PostgreSQL the table is partitioned by month on ``at`` (:mod:`portal.audit.partitions`), so the
    primary key is ``(id, at)`` (a partitioned table's unique keys must contain the partition key);
    ``id`` alone still comes from one sequence and is unique. SQLite keeps a plain table whose ``id``
    is the rowid (``INTEGER PRIMARY KEY``): the same rows, ``id`` unique there by construction.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_case_at", "case_id", "at"),
                      # recent failed logins per account (portal.auth.throttle)
                      Index("ix_audit_event_subject_at", "subject", "at"),
                      # the audit trail page (portal.admin.audit_trail): newest first per municipality,
                      # per user, per action; keyset pagination on (at, id)
                      Index("ix_audit_event_municipality_at", "municipality_id", "at", "id"),
                      Index("ix_audit_event_user_at", "user_id", "at"),
                      # the retention purge of the audit trail itself (oldest first)
                      Index("ix_audit_event_at", "at"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    #: The partition key on PostgreSQL (monthly partitions), hence part of the primary key.
    at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("inburgering_case.id"))
    #: read | write | login | …
    action: Mapped[str] = mapped_column(String(20))
    #: What was touched, e.g. "case", "case.health", "task:intake_leerbaarheid".
    subject: Mapped[str] = mapped_column(String(120))
    #: Why: the purpose or the route that caused it, e.g. "casefile.show", "tasks.complete".
    purpose: Mapped[str] = mapped_column(String(120))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    #: Whose trail this is: the case's municipality, else the acting user's (set by ``record`` in the
    #: INSERT itself); None for events of no municipality (a process designer's deployment).
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
