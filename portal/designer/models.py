"""Drafts of the process set, edited in the browser before they are deployed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db


class ProcessDraft(TimestampMixin, db.Model):
    """A working copy of ``workflows/`` (every BPMN and form file), saved on the server.

    Several designers may open one draft; every save names the ``revision`` it started from and is
    refused when somebody else saved in between (last-writer conflict), so nothing is overwritten
    unseen. A deployed or discarded draft is kept (read-only) for its history.
    """

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The version (None: the working directory) the draft started from.
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    #: ``{"bpmn/x.bpmn": text, "forms/y.json": text}``, as ``portal.engine.parser.source_files`` returns.
    files: Mapped[dict[str, str]] = mapped_column(JSON, deferred=True)
    #: Raised by one on every save; a save names the revision it read.
    revision: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: ``open``, ``deployed`` or ``discarded``; only an open draft can be changed.
    status: Mapped[str] = mapped_column(String(10), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The version a deployed draft became.
    deployed_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))


class DeployRequest(TimestampMixin, db.Model):
    """A deploy waiting for a second pair of eyes (four-eyes, :mod:`portal.designer.deploying`).

    It names the files by their digest: approval deploys exactly those files, and is refused when the
    source (a draft, the working directory) no longer holds them.
    """

    __tablename__ = "deploy_request"

    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``draft-<id>`` or ``workdir`` (:func:`portal.designer.services.files_of`).
    source: Mapped[str] = mapped_column(String(20))
    digest: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(500))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why it was rejected.
    reason: Mapped[str | None] = mapped_column(String(500))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))


class DesignerSetting(db.Model):
    """A portal-wide setting of the designer's room (the process set is one for the whole portal), such
    as ``four_eyes``; the beheerder switches it, every change audited."""

    __tablename__ = "designer_setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
