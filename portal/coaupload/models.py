"""An uploaded COA file between its preview and its confirmation.

Kept server-side, keyed by a random token (only its SHA-256 stored), so the preview survives a reload or a
second post and the file confirmed is byte for byte the file previewed; stateless app servers share it
through the database. The file's bytes are wiped once imported, and every upload is deleted after
``KEEP_HOURS`` (personal data is not kept longer than the import needs).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class CoaUpload(db.Model):
    __tablename__ = "coa_upload"

    KEEP_HOURS = 24

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When confirmed (imported); then ``content`` is empty and ``result`` holds what happened.
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[dict | None] = mapped_column(JSON)
