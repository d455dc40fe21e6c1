"""The progress record of a case. The process moves the case; these rows are what it recorded.

Every row is written by a portal action when its BPMN step completes (see ``portal.progress.actions``),
in the same transaction, and never changed afterwards.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class ProgressMeeting(db.Model):
    """One voortgangsgesprek: attendance as the language provider reported it, exams, MAP/PVT, goals,
    the participation-ladder rung, signals on other life domains, cooperation and the agreements."""

    __tablename__ = "progress_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), index=True)
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    plan_version_id: Mapped[int | None] = mapped_column(ForeignKey("plan_version.id"))
    number: Mapped[int] = mapped_column()
    held_on: Mapped[date] = mapped_column()
    reference_date: Mapped[date] = mapped_column()
    hours_offered: Mapped[int] = mapped_column()
    hours_attended: Mapped[int] = mapped_column()
    absence_excused: Mapped[int] = mapped_column(default=0)
    absence_unexcused: Mapped[int] = mapped_column(default=0)
    #: [{"onderdeel", "resultaat", "datum"}]
    exams: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    map_status: Mapped[str] = mapped_column(String(30))
    map_hours: Mapped[int | None] = mapped_column()
    pvt_status: Mapped[str] = mapped_column(String(30))
    #: [{"nummer", "status", "toelichting"}] against the goals of ``plan_version``
    goals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    ladder_rung: Mapped[int] = mapped_column()
    #: Life-domain codes with a signal (schulden, gezondheid, huisvesting, gezin, anders)
    signals: Mapped[list[str]] = mapped_column(JSON, default=list)
    cooperation: Mapped[str] = mapped_column(String(20))
    next_steps: Mapped[str] = mapped_column(Text)
    #: Written for the newcomer, who reads it in the portal.
    summary: Mapped[str] = mapped_column(Text)
    #: Derived at recording time: {"stagnatie": bool, "redenen": [...], "aanwezigheid": pct|None}
    assessment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def attendance_pct(self) -> int | None:
        if not self.hours_offered:
            return None
        return round(100 * self.hours_attended / self.hours_offered)


class SelfAssessment(db.Model):
    """The newcomer's own view before a meeting ("how is it going?"), in their language."""

    __tablename__ = "self_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), index=True)
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    overall: Mapped[str] = mapped_column(String(20))
    #: [{"nummer", "oordeel"}]
    goals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    help_needed: Mapped[list[str]] = mapped_column(JSON, default=list)
    question: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(10))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FollowUp(db.Model):
    """What came out of a meeting: support after a signal, a case conference (MDO) on stagnation,
    the end-of-term evaluation, DUO's decision on an extension, or the afschalen decision."""

    __tablename__ = "progress_follow_up"

    SUPPORT, CONFERENCE, EVALUATION, EXTENSION = "ondersteuning", "mdo", "eindevaluatie", "verlenging"
    #: The afschalen decision (A2 inside the B1-route; outcome "afschalen" or "niet_afschalen").
    SCALE_DOWN = "afschalen"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("progress_meeting.id"))
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    kind: Mapped[str] = mapped_column(String(20))
    #: The main outcome code (e.g. plan_aanpassen, verwijzing, toegekend).
    outcome: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FinalReport(db.Model):
    """The eindverslag that closes every trajectory; the newcomer receives it."""

    __tablename__ = "final_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inburgering_case.id"), unique=True)
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    conclusion: Mapped[str] = mapped_column(String(20))
    ladder_rung: Mapped[int] = mapped_column()
    summary: Mapped[str] = mapped_column(Text)
    recommendations: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
