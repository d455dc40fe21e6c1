"""One-time activation codes that let a newcomer set up their account without DigiD, and the four-eyes
requests that must precede a new code for an account already in use (account recovery)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class AccountReset(db.Model):
    """A staff member asks for a new activation code for an account the newcomer already uses.

    A code that resets a password lets whoever holds it act as the newcomer (and sign for them), so
    no single staff member may make one: a teamleider other than the requester approves first.
    """

    __tablename__ = "account_reset"

    REQUESTED, APPROVED, REJECTED, ISSUED = "requested", "approved", "rejected", "issued"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), index=True)
    #: The newcomer's account.
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default=REQUESTED)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(String(500))
    #: The municipality whose teamleiders see the request in their worklist.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)

    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class ActivationCode(db.Model):
    __tablename__ = "activation_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: SHA-256 of the code; the code itself is shown once, on the printed letter.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set when a newer code replaces this one.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The approved request this code resets an account in use for (None: the first activation).
    reset_id: Mapped[int | None] = mapped_column(ForeignKey("account_reset.id"))

    user = relationship("User", foreign_keys=[user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    reset: Mapped[AccountReset | None] = relationship()
