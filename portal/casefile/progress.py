"""The case page's "Voortgang" section: the progress record of a case as staff may see it.

One function assembles it (:func:`progress_overview`) from the progress, enforcement and concerns rooms'
services. The free text of a meeting's signals (``signalen.toelichting``) is marked ``x-sensitivity``
in its form and may hold health information: it goes through the case dossier's masking and audit
(:mod:`portal.tasks.answers`), so only roles that may see health data see it, and each such read is
audited as a read of ``case.health``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from portal.auth.models import User
from portal.cases.models import Case
from portal.cases.paging import CappedPage
from portal.concerns.models import Concern
from portal.concerns.services import concerns_of
from portal.db import utcnow
from portal.enforcement.models import EnforcementStep
from portal.enforcement.services import steps
from portal.extensions import db
from portal.progress.labels import (
    CONCERN_CATEGORIES,
    CONCERN_STATUS,
    CONCLUSIONS,
    CONFERENCE_OUTCOMES,
    COOPERATION,
    ENFORCEMENT_MEASURES,
    ENFORCEMENT_STATUS,
    ENFORCEMENT_TRACKS,
    EVALUATION_EXTENSION,
    EXTENSION_DECISIONS,
    FINAL_LADDER,
    FOLLOW_UP_TASKS,
    LADDER,
    MAP_STATUS,
    PVT_STATUS,
    SIGNAL_DOMAINS,
    STAGNATION_REASONS,
    SUPPORT,
    Words,
    label,
    words_for,
)
from portal.progress.models import FinalReport, FollowUp, ProgressMeeting
from portal.progress.services import final_report, ladder_history, meetings
from portal.tasks.answers import DossierItem, audit_sensitive_read, task_items
from portal.tasks.models import HumanTask
from portal.tasks.worklist import page_size

#: Where a meeting's form keeps the free text about its signals.
SIGNAL_NOTE = ("signalen", "toelichting")


@dataclass(frozen=True)
class LadderPoint:
    #: "intake", "gesprek" or "einde"
    moment: str
    rung: int
    rung_label: str
    number: int | None = None  # the meeting's number, for moment "gesprek"
    #: The meeting's date, or when the final report was recorded (a UTC datetime: |dateformat rebases it).
    on: date | datetime | None = None


@dataclass(frozen=True)
class MeetingRow:
    number: int
    held_on: date
    hours_attended: int
    hours_offered: int
    attendance_pct: int | None
    absence_unexcused: int
    map_status: str
    pvt_status: str
    rung: int
    rung_label: str
    signals: list[str]
    #: The signals' free text as this user may see it (``hidden`` when masked); None if none was written.
    signal_note: DossierItem | None
    stagnation: bool
    stagnation_reasons: list[str]
    cooperation: str
    culpable: bool


@dataclass(frozen=True)
class FollowUpRow:
    recorded_at: datetime
    kind: str
    outcome: str
    detail: str
    meeting_number: int | None
    recorded_by: str


@dataclass(frozen=True)
class EnforcementRow:
    track: str
    rung: int
    measure: str
    amount_euro: int
    status_code: str
    status: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str
    decided_at: datetime | None


@dataclass(frozen=True)
class ConcernRow:
    category: str
    raised_at: datetime
    due_at: datetime | None
    status: str
    answered: bool
    overdue: bool
    answered_at: datetime | None
    answered_by: str


@dataclass(frozen=True)
class FinalReportView:
    conclusion: str
    rung: int
    rung_label: str
    summary: str
    recommendations: str | None
    recorded_at: datetime
    recorded_by: str


@dataclass
class ProgressOverview:
    ladder: list[LadderPoint]
    #: This page of meetings, newest first; ``meeting_page`` is its page (what the pagination macro reads).
    meetings: list[MeetingRow]
    meeting_page: CappedPage
    follow_ups: list[FollowUpRow] = field(default_factory=list)
    enforcement: list[EnforcementRow] = field(default_factory=list)
    concerns: list[ConcernRow] = field(default_factory=list)
    final_report: FinalReportView | None = None

    @property
    def empty(self) -> bool:
        return not (self.ladder or self.meetings or self.follow_ups or self.enforcement or self.concerns
                    or self.final_report)


def progress_overview(case: Case, user: User, page: int = 1) -> ProgressOverview:
    """The progress record of ``case`` for ``user``'s case page: ladder, meetings (paginated), follow-ups,
    enforcement, concerns and the final report. Health-sensitive free text is masked and its reads audited.

    :param page: the page of the meetings table (newest meetings first).
    """
    held = meetings(case)  # every meeting, oldest first: the ladder and the follow-ups' numbers need them all
    size, page = page_size(), max(page, 1)
    newest_first = held[::-1]
    meeting_page = CappedPage(items=newest_first[(page - 1) * size:page * size], page=page, per_page=size,
                              total=len(held), capped=False, more=len(held) > page * size)
    words = words_for(case)
    notes = _signal_notes(meeting_page.items, user)
    audit_sensitive_read(case, user, [note for note in notes.values() if note is not None], "casefile.show")
    report = final_report(case)
    follow_ups = list(db.session.scalars(select(FollowUp).where(FollowUp.case_id == case.id)
                                         .order_by(FollowUp.created_at, FollowUp.id)))
    enforcement = steps(case)
    concerns = concerns_of(case)
    names = _names({follow_up.recorded_by_id for follow_up in follow_ups}
                   | {s.proposed_by_id for s in enforcement} | {s.decided_by_id for s in enforcement}
                   | {c.answered_by_id for c in concerns} | {report.recorded_by_id if report else None})
    meeting_numbers = {meeting.id: meeting.number for meeting in held}
    return ProgressOverview(
        ladder=_ladder(case, report, words, held),
        meetings=[_meeting_row(meeting, notes.get(meeting.id), user, words) for meeting in meeting_page.items],
        meeting_page=meeting_page,
        follow_ups=[_follow_up_row(f, meeting_numbers.get(f.meeting_id), names, words) for f in follow_ups],
        enforcement=[_enforcement_row(s, names, words) for s in enforcement],
        concerns=[_concern_row(c, names) for c in sorted(concerns, key=lambda c: c.id)],
        final_report=_report_view(report, names, words) if report else None,
    )


def _names(user_ids: set[int | None]) -> dict[int | None, str]:
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def _ladder(case: Case, report: FinalReport | None, words: Words, held: list[ProgressMeeting]) -> list[LadderPoint]:
    points, number = [], 0
    for moment, rung in ladder_history(case, known=(held, report)):
        rung_label = words(FINAL_LADDER if moment == "einde" else LADDER, rung)
        if moment == "intake":
            points.append(LadderPoint("intake", rung, rung_label))
        elif moment == "einde":
            points.append(LadderPoint("einde", rung, rung_label, on=report.created_at if report else None))
        else:
            number += 1
            points.append(LadderPoint("gesprek", rung, rung_label, number=number, on=moment))
    return points


def _signal_notes(meetings: list[ProgressMeeting], user: User) -> dict[int, DossierItem | None]:
    """meeting id → the signals' free text as ``user`` may see it, through the dossier's masking."""
    task_ids = [m.human_task_id for m in meetings if m.human_task_id is not None]
    tasks = {t.id: t for t in db.session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids)))} \
        if task_ids else {}
    notes: dict[int, DossierItem | None] = {}
    for meeting in meetings:
        task = tasks.get(meeting.human_task_id)
        items = task_items(task, user) if task is not None and task.submitted_data else []
        notes[meeting.id] = next((item for _domain, item in items if item.path == SIGNAL_NOTE), None)
    return notes


#: Signal domains that are special-category data themselves (GDPR art. 9): that such a signal exists is
#: shown only to roles that may see health data.
SENSITIVE_SIGNALS = frozenset({"gezondheid"})


def _signal_labels(codes: list[str], user: User, words: Words) -> list[str]:
    return [str(_("Afgeschermd signaal")) if code in SENSITIVE_SIGNALS and not user.may_see_sensitive
            else words(SIGNAL_DOMAINS, code) for code in codes]


def _meeting_row(meeting: ProgressMeeting, note: DossierItem | None, user: User, words: Words) -> MeetingRow:
    assessment = meeting.assessment or {}
    return MeetingRow(
        number=meeting.number, held_on=meeting.held_on, hours_attended=meeting.hours_attended,
        hours_offered=meeting.hours_offered, attendance_pct=meeting.attendance_pct,
        absence_unexcused=meeting.absence_unexcused or 0,
        map_status=words(MAP_STATUS, meeting.map_status), pvt_status=words(PVT_STATUS, meeting.pvt_status),
        rung=meeting.ladder_rung, rung_label=words(LADDER, meeting.ladder_rung),
        signals=_signal_labels(meeting.signals or [], user, words), signal_note=note,
        stagnation=bool(assessment.get("stagnatie")),
        stagnation_reasons=[label(STAGNATION_REASONS, code) for code in assessment.get("redenen") or []],
        cooperation=words(COOPERATION, meeting.cooperation), culpable=meeting.cooperation == "verwijtbaar",
    )


def _follow_up_outcome(follow_up: FollowUp, words: Words) -> tuple[str, str]:
    """(outcome, detail) from what the follow-up's form recorded; never its free text (it may be sensitive)."""
    data = follow_up.data or {}
    new_end = data.get("nieuwe_einddatum") or ""
    if follow_up.kind == FollowUp.SUPPORT:
        return words(SUPPORT, data.get("ondersteuning") or []), data.get("partner") or ""
    if follow_up.kind == FollowUp.CONFERENCE:
        return words(CONFERENCE_OUTCOMES, data.get("uitkomst") or follow_up.outcome), ""
    if follow_up.kind == FollowUp.EVALUATION:
        return words(EVALUATION_EXTENSION, data.get("verlenging") or follow_up.outcome), new_end
    if follow_up.kind == FollowUp.EXTENSION:
        return words(EXTENSION_DECISIONS, data.get("besluit") or follow_up.outcome), new_end
    return follow_up.outcome, ""


def _follow_up_row(follow_up: FollowUp, meeting_number: int | None, names: dict, words: Words) -> FollowUpRow:
    outcome, detail = _follow_up_outcome(follow_up, words)
    kind = FOLLOW_UP_TASKS.get(follow_up.kind)
    return FollowUpRow(recorded_at=follow_up.created_at, kind=words.task_title(kind) if kind else follow_up.kind,
                       outcome=outcome, detail=detail, meeting_number=meeting_number,
                       recorded_by=names.get(follow_up.recorded_by_id, ""))


def _enforcement_row(step: EnforcementStep, names: dict, words: Words) -> EnforcementRow:
    return EnforcementRow(
        track=label(ENFORCEMENT_TRACKS, step.track), rung=step.rung, measure=words(ENFORCEMENT_MEASURES, step.measure),
        amount_euro=step.amount_euro or 0, status_code=step.status, status=label(ENFORCEMENT_STATUS, step.status),
        proposed_by=names.get(step.proposed_by_id, ""), proposed_at=step.proposed_at,
        decided_by=names.get(step.decided_by_id, ""), decided_at=step.decided_at,
    )


def _concern_row(concern: Concern, names: dict) -> ConcernRow:
    answered = concern.status == Concern.ANSWERED
    return ConcernRow(
        category=label(CONCERN_CATEGORIES, concern.category), raised_at=concern.raised_at, due_at=concern.due_at,
        status=label(CONCERN_STATUS, concern.status), answered=answered,
        overdue=not answered and concern.due_at is not None and concern.due_at < utcnow(),
        answered_at=concern.answered_at, answered_by=names.get(concern.answered_by_id, ""),
    )


def _report_view(report: FinalReport, names: dict, words: Words) -> FinalReportView:
    return FinalReportView(
        conclusion=words(CONCLUSIONS, report.conclusion), rung=report.ladder_rung,
        rung_label=words(FINAL_LADDER, report.ladder_rung), summary=report.summary,
        recommendations=report.recommendations, recorded_at=report.created_at,
        recorded_by=names.get(report.recorded_by_id, ""),
    )
