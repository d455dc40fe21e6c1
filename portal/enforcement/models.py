"""Enforcement steps: a proposal by the regisseur, decided by the teamleider (append-only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class EnforcementStep(db.Model):
    __tablename__ = "enforcement_step"

    INTAKE, PIP = "intake", "pip"
    WARNING, FINE, NO_SANCTION = "waarschuwing", "boete", "geen_sanctie"
    PROPOSED, APPROVED, REJECTED = "voorgesteld", "goedgekeurd", "afgewezen"
    #: The regisseur chose no sanction (with a reason in decision_note): closed at once, no review.
    NOT_SANCTIONED = "geen_sanctie"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), index=True)
    #: intake (Wi2021 art. 22: warning, €250, €250) or pip (art. 23: up to €800)
    track: Mapped[str] = mapped_column(String(10))
    #: The step on the intake ladder (1, 2, 3); for the PIP track the count of approved steps so far + 1.
    rung: Mapped[int] = mapped_column()
    measure: Mapped[str] = mapped_column(String(20))
    amount_euro: Mapped[int] = mapped_column(default=0)
    culpability: Mapped[str] = mapped_column(Text)
    support_offered: Mapped[str] = mapped_column(Text)
    mitigation: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=PROPOSED)
    proposal_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
