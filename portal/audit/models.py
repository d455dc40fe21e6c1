"""The audit trail: every read and write of a case (who, when, what, why)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class AuditEvent(db.Model):
    """Append-only. Rows are never updated or deleted by the application."""

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

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
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
