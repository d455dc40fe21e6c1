"""What the retention run did to a case (the case row itself stays: the audit trail refers to it)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime
from portal.extensions import db


class CaseRetention(db.Model):
    __tablename__ = "case_retention"

    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), primary_key=True)
    #: When the file's content was deleted (plan, steps, meetings, concerns, the newcomer's account).
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the identifying data went too (name, birth date, V-number, BSN); None while decisions are kept.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Enforcement decisions (warnings, fines) and the identity they need are kept until this date.
    kept_until: Mapped[date | None] = mapped_column()
