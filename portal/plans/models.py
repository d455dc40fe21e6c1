"""The PIP (persoonlijk plan inburgering en participatie) as a domain object with immutable versions.

A version's content never changes after it is written; a changed plan is a new version that needs
new signatures (DESIGN.md §4). Signatures and documents are append-only records.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class Plan(db.Model):
    """One per case. Holds the dates the law hangs on the first decided plan."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), unique=True)
    #: Date of the first beschikking (the decision date of version 1). The integration term starts the
    #: day after and never moves when the plan changes (Wi2021 art. 11(3)); see :mod:`portal.plans.term`.
    pip_date: Mapped[date | None] = mapped_column()
    term_start: Mapped[date | None] = mapped_column()
    #: The end in force: three years after the start, or the end of the latest granted extension.
    term_end: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    versions: Mapped[list[PlanVersion]] = relationship(back_populates="plan", order_by="PlanVersion.number")
    term_decisions: Mapped[list[TermDecision]] = relationship(back_populates="plan", order_by="TermDecision.id")


class TermDecision(db.Model):
    """A decision that set the integration term (append-only): its start with the first beschikking, a
    granted extension (verlenging, DUO) with its reason, or a correction when the term was once derived
    from the wrong date. ``term_end`` is the end in force after this decision."""

    __tablename__ = "plan_term_decision"

    START, EXTENSION, CORRECTION = "start", "verlenging", "correctie"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    #: The date of the decision (beschikking of the college, DUO's besluit on an extension).
    decided_on: Mapped[date] = mapped_column()
    term_start: Mapped[date] = mapped_column()
    term_end: Mapped[date] = mapped_column()
    previous_end: Mapped[date | None] = mapped_column()
    #: The ground of an extension (a code of the verlenging forms) and the regisseur's words.
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    #: The legal source of the rule applied (article), stored with the decision.
    source: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="term_decisions")


class PlanVersion(db.Model):
    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_version_plan_number"),)

    DRAFT, DECIDED, SUPERSEDED = "draft", "decided", "superseded"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    number: Mapped[int] = mapped_column()
    #: The plan as drafted (the pip_opstellen form data), JSON-native.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The Dutch legal text of this version, rendered once from the content.
    rendered_text: Mapped[str] = mapped_column(Text)
    #: SHA-256 over the canonical content and rendered text: what a signature refers to.
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The decision (beschikking) data: decision date, official acting for the college.
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    plan: Mapped[Plan] = relationship(back_populates="versions")
    created_by = relationship("User", foreign_keys=[created_by_id])
    signatures: Mapped[list[PlanSignature]] = relationship(back_populates="version", order_by="PlanSignature.id")
    documents: Mapped[list[PlanDocument]] = relationship(back_populates="version", order_by="PlanDocument.id")

    def signed_by(self, user_id: int) -> bool:
        return any(signature.user_id == user_id for signature in self.signatures)


class PlanDocument(db.Model):
    """A sealed PDF made from a version: the beschikking, the plan to sign, the signed copy.

    Deciding and signing *queue* a document (``pending``) in their own transaction; the worker renders
    and seals it outside any case lock and stores the bytes (``ready``). A failed attempt is retried
    with back-off and, after ``MAX_ATTEMPTS``, marked ``failed`` for the beheerder to see.
    """

    __tablename__ = "plan_document"
    __table_args__ = (Index("ix_plan_document_status_next", "status", "next_attempt_at"),)

    DECISION, PLAN, SIGNED_COPY = "beschikking", "plan", "signed_copy"
    PENDING, READY, FAILED = "pending", "ready", "failed"
    MAX_ATTEMPTS = 5

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: Short public code printed on every page and in the QR; reveals nothing by itself.
    verification_code: Mapped[str] = mapped_column(String(16), unique=True)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    #: SHA-256 of the stored (sealed) bytes; never re-rendered to verify.
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=PENDING, server_default=READY)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    #: When the worker may (re)try; a claimed document is leased until ``leased_until``.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(1000))
    produced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_ready(self) -> bool:
        return self.status == self.READY

    version: Mapped[PlanVersion] = relationship(back_populates="documents")


class PlanSignature(db.Model):
    """The newcomer's agreement with exactly one version (append-only)."""

    __tablename__ = "plan_signature"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"), index=True)
    version_sha256: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the plan PDF the newcomer was shown.
    document_sha256: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    typed_name: Mapped[str] = mapped_column(String(200))
    #: Lenient comparison with the name on file; a mismatch is flagged to the regisseur, not blocked.
    name_matches: Mapped[bool] = mapped_column()
    consent_text_id: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(8))
    auth_method: Mapped[str] = mapped_column(String(40))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    #: When a staff-initiated account reset came shortly before this signature: the signature is marked,
    #: since whoever held the new code could have signed.
    after_account_reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    version: Mapped[PlanVersion] = relationship(back_populates="signatures")
    user = relationship("User")


class PlanResponse(db.Model):
    """"I don't agree / I have a question": the newcomer's message about a version, and the answer."""

    __tablename__ = "plan_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    version: Mapped[PlanVersion] = relationship()
