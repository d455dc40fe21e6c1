"""A newcomer's request for a copy of all their data (AVG art. 15), made by the worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class DataCopy(db.Model):
    """Requested on the newcomer's page (``pending``), made by the worker outside any lock (``ready``:
    a zip with a PDF in their language and a JSON file), downloaded only by the newcomer."""

    __tablename__ = "data_copy"
    __table_args__ = (Index("ix_data_copy_status_next", "status", "next_attempt_at"),)

    PENDING, READY, FAILED = "pending", "ready", "failed"
    MAX_ATTEMPTS = 5

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), index=True)
    #: The newcomer who asked (and the only one who may download it).
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    locale: Mapped[str] = mapped_column(String(8))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(1000))
    produced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The zip (PDF + JSON); deleted after PORTAL_DATA_COPY_DAYS by `portal retention run`.
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
