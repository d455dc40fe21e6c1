"""Deployed, immutable versions of the process set (BPMN files + forms)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import TimestampMixin
from portal.extensions import db


class ProcessVersion(TimestampMixin, db.Model):
    """One deployment of ``workflows/``: hashed, never changed. New cases use the newest."""

    __tablename__ = "process_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 over every BPMN and form file; deploying the same files twice yields one version.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    entry_process: Mapped[str] = mapped_column(String(120))
    #: Serialized specs, task metadata and form schemas (see portal.engine.parser).
    # Both are large and deferred: the engine caches the deserialized bundle per digest.
    bundle: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    #: The source files as deployed, for viewing, diffing and rollback.
    files: Mapped[dict[str, str]] = mapped_column(JSON, deferred=True)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(String(500))
