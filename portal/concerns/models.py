"""A concern raised by a newcomer and the teamleider's answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class Concern(db.Model):
    __tablename__ = "concern"

    OPEN, ANSWERED = "open", "beantwoord"
    CATEGORIES = ("gesprek_afgezegd", "geen_school", "hulp_nodig", "anders")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The teamleider's task (zorg_behandelen) that answers this concern.
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"), unique=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    answer: Mapped[str | None] = mapped_column(Text)
    justified: Mapped[bool | None] = mapped_column()
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
