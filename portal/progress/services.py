"""Recording progress and judging it: stagnation, signals, the end phase of the term.

The verdicts are computed here, in reviewed Python, and handed to the process as facts; the BPMN
gateways only read them (DESIGN.md §3: domain logic in helpers, not in diagrams).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import dates
from portal.audit.services import record
from portal.auth.models import User
from portal.cases.models import Case
from portal.db import local_today
from portal.extensions import db
from portal.hooks import Hooks
from portal.plans import term as plans_term
from portal.plans.services import current_version, plan_of
from portal.processes.diagram import user_task
from portal.progress.models import FinalReport, FollowUp, ProgressMeeting, SelfAssessment
from portal.refusal import Refused
from portal.tasks.models import HumanTask

DEFAULT_INTERVAL = "P3M"
TOP_RUNG = 6  # paid work without support: nothing left to climb

#: The intake step that records the starting rung of the participatieladder.
INTAKE_LADDER_TASK = user_task("participatieladder_intake", __name__)


class ProgressRefused(Refused):
    """The progress record cannot take this (a goal not in the plan, a second final report …)."""


def plan_goals(case: Case) -> list[dict[str, Any]]:
    """The goals of the plan in force, numbered from 1 as the plan shows them."""
    version = current_version(case)
    return list(version.content.get("doelen") or []) if version else []


def meetings(case: Case) -> list[ProgressMeeting]:
    return list(db.session.scalars(select(ProgressMeeting).where(ProgressMeeting.case_id == case.id)
                                   .order_by(ProgressMeeting.number)))


def intake_rung(case: Case) -> int | None:
    data = db.session.scalar(select(HumanTask.submitted_data).where(
        HumanTask.case_id == case.id, HumanTask.bpmn_id == INTAKE_LADDER_TASK,
        HumanTask.status == HumanTask.COMPLETED).order_by(HumanTask.completed_at.desc()).limit(1))
    return int(data["trede"]) if data and data.get("trede") else None


def ladder_history(case: Case, known: tuple[list[ProgressMeeting], FinalReport | None] | None = None
                   ) -> list[tuple[str | date, int]]:
    """(moment, rung): ``"intake"``, then each progress meeting's date, then ``"einde"`` (the final report).

    :param known: the case's meetings (oldest first) and final report, when the caller has read them."""
    held, report = known if known is not None else (meetings(case), final_report(case))
    history: list[tuple[str | date, int]] = []
    rung = intake_rung(case)
    if rung is not None:
        history.append(("intake", rung))
    history += [(meeting.held_on, meeting.ladder_rung) for meeting in held]
    if report is not None:
        history.append(("einde", report.ladder_rung))
    return history


def hours_attended(case: Case) -> int:
    """Language-course hours attended over the whole term, as the provider reported them per meeting."""
    return db.session.scalar(select(func.coalesce(func.sum(ProgressMeeting.hours_attended), 0))
                             .where(ProgressMeeting.case_id == case.id)) or 0


@dataclass(frozen=True)
class Assessment:
    stagnation: bool
    reasons: tuple[str, ...]
    attendance_pct: int | None


def no_ladder_rise(meeting_rungs: list[int], meetings: int = 2) -> bool:
    """Stagnation on the participatieladder: over the last ``meetings`` progress meetings in a row the rung
    never rose from one measurement to the next (the same rung twice, or lower). A newcomer on the top rung
    has nothing left to climb.

    Source: the voortgang process's case-conference rule, "geen stap op de participatieladder over twee
    gesprekken" (workflows/bpmn/voortgang.bpmn, mdo.json); measuring the ladder at every meeting per
    DOMAIN.md §5. No legal stagnation rule exists (DOMAIN.md §3), so ``meetings`` is a setting
    (``STAGNATION_MEETINGS``). The intake rung is no progress meeting and does not count: one meeting
    without a climb after the plan is not yet stagnation.

    :param meeting_rungs: the rungs of the progress meetings so far, oldest first, ending with this one's.
    """
    count = max(meetings, 2)  # a rise needs two measurements to be seen
    window = meeting_rungs[-count:]
    if len(window) < count or window[-1] >= TOP_RUNG:
        return False
    return all(later <= earlier for earlier, later in zip(window, window[1:], strict=False))


def assess(meeting_rungs: list[int], hours_offered: int, hours_attended: int, threshold_pct: int,
           stagnation_meetings: int = 2) -> Assessment:
    """Stagnation: no rise on the ladder over the last meetings in a row (:func:`no_ladder_rise`), or
    attendance below the norm.

    :param meeting_rungs: the rungs of the progress meetings so far, oldest first, ending with this one's.
    """
    reasons = []
    if no_ladder_rise(meeting_rungs, stagnation_meetings):
        reasons.append("geen_trede_vooruit")
    pct = round(100 * hours_attended / hours_offered) if hours_offered else None
    if pct is not None and pct < threshold_pct:
        reasons.append("aanwezigheid_onder_norm")
    return Assessment(stagnation=bool(reasons), reasons=tuple(reasons), attendance_pct=pct)


def _check_goal_numbers(case: Case, rows: list[dict[str, Any]]) -> None:
    count = len(plan_goals(case))
    for row in rows:
        if not 1 <= int(row["nummer"]) <= count:
            raise ProgressRefused(_("Doel %(number)s staat niet in het plan; het plan heeft %(count)d doelen.",
                                    number=row["nummer"], count=count))


def record_self_assessment(case: Case, task: HumanTask, data: dict[str, Any], user: User) -> SelfAssessment:
    _check_goal_numbers(case, data.get("doelen") or [])
    entry = SelfAssessment(case_id=case.id, human_task_id=task.id, overall=data["algemeen"],
                           goals=data.get("doelen") or [], help_needed=data.get("hulp_nodig") or [],
                           question=(data.get("vraag") or "").strip() or None, locale=user.locale or "nl",
                           submitted_by_id=user.id)
    db.session.add(entry)
    db.session.flush()
    record("write", "progress:self_assessment", "progress.self_assessment", case_id=case.id, user_id=user.id)
    return entry


def record_meeting(case: Case, task: HumanTask, data: dict[str, Any], user: User) -> ProgressMeeting:
    """Store the meeting as the legal record and judge it (stagnation, attendance)."""
    _check_goal_numbers(case, data.get("doelen") or [])
    attendance, conversation = data["aanwezigheid"], data["gesprek"]
    earlier = meetings(case)
    rung = int(data["participatie"]["trede"])
    verdict = assess([m.ladder_rung for m in earlier] + [rung], attendance["uren_aangeboden"],
                     attendance["uren_gevolgd"], current_app.config["ATTENDANCE_THRESHOLD"],
                     current_app.config["STAGNATION_MEETINGS"])
    version = current_version(case)
    meeting = ProgressMeeting(
        case_id=case.id, human_task_id=task.id, plan_version_id=version.id if version else None,
        number=len(earlier) + 1, held_on=date.fromisoformat(conversation["datum"]),
        reference_date=date.fromisoformat(attendance["peildatum"]),
        hours_offered=attendance["uren_aangeboden"], hours_attended=attendance["uren_gevolgd"],
        absence_excused=attendance.get("verzuim_geoorloofd") or 0,
        absence_unexcused=attendance.get("verzuim_ongeoorloofd") or 0,
        exams=data.get("examens") or [], map_status=data["map_pvt"]["map_status"],
        map_hours=data["map_pvt"].get("map_uren"), pvt_status=data["map_pvt"]["pvt_status"],
        goals=data.get("doelen") or [], ladder_rung=rung,
        signals=(data.get("signalen") or {}).get("leefgebieden") or [],
        cooperation=data["medewerking"]["oordeel"], next_steps=data["afspraken"]["volgende_stappen"],
        summary=data["afspraken"]["samenvatting"],
        assessment={"stagnatie": verdict.stagnation, "redenen": list(verdict.reasons),
                    "aanwezigheid": verdict.attendance_pct},
        recorded_by_id=user.id,
    )
    db.session.add(meeting)
    db.session.flush()
    record("write", "progress:meeting", "progress.meeting", case_id=case.id, user_id=user.id,
           detail={"meeting": meeting.id, "stagnation": verdict.stagnation})
    return meeting


def meeting_facts(case: Case, meeting: ProgressMeeting, carry_on: bool) -> dict[str, Any]:
    """What the voortgang process needs to route after a meeting."""
    plan = plan_of(case)
    return {
        "vorig_gesprek": meeting.held_on.isoformat(),
        "termijn_einde": plan.term_end.isoformat() if plan and plan.term_end else None,
        # Support before sanction: the handhaving gateway reads this (signaal_opvolgen updates it). Culpable
        # non-cooperation without any recorded support goes to signaal_opvolgen first (gw_signalen).
        "ondersteuning_geboden": actual_support_recorded(case),
        "beoordeling": {
            "signalen": bool(meeting.signals),
            "stagnatie": bool(meeting.assessment.get("stagnatie")),
            "verwijtbaar": meeting.cooperation == "verwijtbaar",
            "afronden": not carry_on,
        },
    }


def last_meeting(case: Case) -> ProgressMeeting | None:
    return db.session.scalar(select(ProgressMeeting).where(ProgressMeeting.case_id == case.id)
                             .order_by(ProgressMeeting.number.desc()).limit(1))


def record_follow_up(case: Case, task: HumanTask, kind: str, outcome: str, data: dict[str, Any],
                     user: User) -> FollowUp:
    meeting = last_meeting(case)
    entry = FollowUp(case_id=case.id, meeting_id=meeting.id if meeting else None, human_task_id=task.id, kind=kind,
                     outcome=outcome, data=data, recorded_by_id=user.id)
    db.session.add(entry)
    db.session.flush()
    record("write", f"progress:{kind}", f"progress.{kind}", case_id=case.id, user_id=user.id,
           detail={"outcome": outcome})
    return entry


#: signaal_opvolgen: the choice that records no support at all; it never counts as support before sanction.
NO_SUPPORT = "geen_actie"
#: signaal_opvolgen: what came of the support; a support action counts only with one of these recorded.
SUPPORT_OUTCOMES = ("ingezet", "afgerond", "niet_aangenomen")


def is_actual_support(data: dict[str, Any]) -> bool:
    """A signaal_opvolgen record is support only when it names an actual action (a referral, debt help, a
    plan change …, not "geen actie nodig") and records what came of it.

    Source: DOMAIN.md §4 (a sanction is the last resort, memorie van toelichting via VNG) and §4.4 (every
    signal first creates a support action; the warning → fine path only for culpable non-cooperation).
    """
    actions = set(data.get("ondersteuning") or ()) - {NO_SUPPORT}
    return bool(actions) and data.get("uitkomst") in SUPPORT_OUTCOMES


def support_given_since_signals(case: Case) -> bool:
    """True unless the latest meeting with signals has no actual support yet (support before sanction,
    :func:`is_actual_support`)."""
    signalled = next((m for m in reversed(meetings(case)) if m.signals), None)
    if signalled is None:
        return True
    records = db.session.scalars(select(FollowUp.data).where(
        FollowUp.meeting_id == signalled.id, FollowUp.kind == FollowUp.SUPPORT))
    return any(is_actual_support(data or {}) for data in records)


#: signaal_opvolgen: the debt-help referral (schuldhulpverlening); a fine waits after it.
DEBT_HELP = "schuldhulp"


def actual_support_recorded(case: Case) -> bool:
    """Support before a PIP sanction: at least one support action with its outcome is recorded, and the
    latest signal has its own (:func:`support_given_since_signals`). Source: DOMAIN.md §4, §4.4."""
    records = db.session.scalars(select(FollowUp.data).where(FollowUp.case_id == case.id,
                                                             FollowUp.kind == FollowUp.SUPPORT))
    return any(is_actual_support(data or {}) for data in records) and support_given_since_signals(case)


def debt_help_since(case: Case, since: date) -> date | None:
    """The day of the latest debt-help referral (an actual support action) after ``since``, or None."""
    rows = db.session.execute(select(FollowUp.data, FollowUp.created_at).where(
        FollowUp.case_id == case.id, FollowUp.kind == FollowUp.SUPPORT).order_by(FollowUp.id.desc())).all()
    for data, created in rows:
        day = dates.local_date(created)
        if day <= since:
            break
        if DEBT_HELP in ((data or {}).get("ondersteuning") or ()) and is_actual_support(data or {}):
            return day
    return None


def extend_term(case: Case, new_end: date, decided_on: date, ground: str | None, reason: str | None,
                user: User) -> date:
    """DUO extended the integration term: record the decision with its ground (the plans room keeps the
    term, :func:`portal.plans.term.extend_term`)."""
    return plans_term.extend_term(plan_of(case), new_end, decided_on, ground, reason, user).term_end


#: What must be settled before the trajectory closes: ``case -> reason it cannot close yet, or None``.
#: Registered by the rooms above (an open concern of the newcomer).
closing_checks: Hooks[[Case], str | None] = Hooks("final report checks")


def record_final_report(case: Case, task: HumanTask, data: dict[str, Any], user: User) -> FinalReport:
    if final_report(case) is not None:
        raise ProgressRefused(_("Er is al een eindverslag."))
    blocker = closing_checks.first(case)
    if blocker:
        raise ProgressRefused(blocker)
    report = FinalReport(case_id=case.id, human_task_id=task.id, conclusion=data["conclusie"],
                         ladder_rung=int(data["trede"]), summary=data["samenvatting"],
                         recommendations=data.get("aanbevelingen"), recorded_by_id=user.id)
    db.session.add(report)
    db.session.flush()
    record("write", "progress:final_report", "progress.final_report", case_id=case.id, user_id=user.id)
    return report


def final_report(case: Case) -> FinalReport | None:
    return db.session.scalar(select(FinalReport).where(FinalReport.case_id == case.id))


def self_assessments(case: Case) -> list[SelfAssessment]:
    return list(db.session.scalars(select(SelfAssessment).where(SelfAssessment.case_id == case.id)
                                   .order_by(SelfAssessment.id)))


def latest_goal_ratings(case: Case) -> dict[int, str]:
    """Goal number → the newcomer's latest own rating of it (zelfbeoordeling), over all self-assessments."""
    ratings: dict[int, str] = {}
    for entry in self_assessments(case):
        for row in entry.goals or []:
            if isinstance(row, dict) and row.get("nummer") and row.get("oordeel"):
                ratings[int(row["nummer"])] = row["oordeel"]
    return ratings


def term_months_elapsed(case: Case, today: date | None = None) -> int | None:
    plan = plan_of(case)
    if plan is None or plan.term_start is None:
        return None
    return dates.whole_months_between(plan.term_start, today or local_today())
