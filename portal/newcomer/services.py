"""Finding the newcomer's own case, and the newcomer's own steps (signing the plan, the self-assessment
before a progress meeting, concerns). The account itself (activation codes, recovery) is in ``recovery``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select

from portal.auth.models import User
from portal.cases.models import Case
from portal.concerns.models import Concern
from portal.concerns.services import concerns_of
from portal.engine import FormSpec
from portal.extensions import db
from portal.forms import display_value
from portal.newcomer.recovery import recent_reset
from portal.plans.models import PlanVersion
from portal.plans.services import SignRequest, respond, sign
from portal.plans.spec import plan_form
from portal.processes.diagram import user_task
from portal.progress.models import ProgressMeeting
from portal.progress.services import meetings, plan_goals
from portal.tasks.models import HumanTask
from portal.tasks.workflow import StaleTask, case_runtime, complete_task, form_spec_for

#: The newcomer's step in the PIP process (lane Inburgeraar).
SIGN_TASK = user_task("pip_ondertekenen", __name__)
#: The newcomer's step before each progress meeting in the voortgang process (lane Inburgeraar).
SELF_ASSESSMENT_TASK = user_task("zelfbeoordeling", __name__)


def newcomer_case(user: User, lock: bool = False) -> Case | None:
    """The newcomer's own case; ``lock`` takes its row lock first (requests that change it)."""
    query = select(Case).where(Case.newcomer_user_id == user.id)
    return db.session.scalar(query.with_for_update() if lock else query)


def open_newcomer_task(case: Case, user: User, bpmn_id: str) -> HumanTask | None:
    return db.session.scalar(select(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN, HumanTask.bpmn_id == bpmn_id,
        HumanTask.assignee_id == user.id))


def sign_my_plan(case: Case, user: User, request: SignRequest) -> None:
    """Sign the plan in force and complete the newcomer's signing step of the PIP process.

    :raises SigningRefused, ActionRefused or StaleTask: nothing is signed then (the caller rolls back).
    """
    task = open_newcomer_task(case, user, SIGN_TASK)
    if task is None:
        raise StaleTask(None)
    sign(case, user, replace(request, after_account_reset_at=recent_reset(user)))
    complete_task(task.id, {"besluit": "akkoord"}, user)


def ask_about_my_plan(case: Case, user: User, version_id: int, message: str) -> None:
    """Send a question instead of signing: the signing step completes with "vraag" and goes to the regisseur."""
    task = open_newcomer_task(case, user, SIGN_TASK)
    if task is None:
        raise StaleTask(None)
    response = respond(case, user, version_id, message)
    complete_task(task.id, {"besluit": "vraag", "bericht": response.message}, user)


# -- progress: the self-assessment, the meetings, concerns ---------------------------------------

@dataclass(frozen=True)
class PlanGoal:
    """A goal of the plan as the newcomer's pages show it (numbered from 1, as the plan shows them)."""

    number: int
    #: The goal as the regisseur wrote it (free text, usually Dutch).
    text: str
    #: The life domain in words, in the current language ("" if the plan did not name one).
    domain: str


def _goals(rows: list[dict[str, Any]], form: FormSpec) -> list[PlanGoal]:
    goal_rows = next((spec for spec in form.fields if spec.name == "doelen"), None)
    domain_spec = next((c for c in goal_rows.children if c.name == "leefgebied"), None) if goal_rows else None
    return [PlanGoal(number, row.get("doel") or "",
                     str(display_value(domain_spec, row["leefgebied"])) if domain_spec and row.get("leefgebied")
                     else "")
            for number, row in enumerate(rows, start=1)]


def my_plan_goals(case: Case) -> list[PlanGoal]:
    """The goals of the plan in force."""
    return _goals(plan_goals(case), plan_form(case))


def self_assessment_spec(case: Case, task: HumanTask | None) -> FormSpec | None:
    """The self-assessment's form (workflows/forms/zelfbeoordeling.json): the open task's, else the one the
    case's process would use, so answers typed just before the task was withdrawn can be shown again."""
    if task is not None:
        return form_spec_for(task)
    try:
        return case_runtime(case).form_spec(SELF_ASSESSMENT_TASK)
    except KeyError:  # a process version without self-assessments
        return None


def assess_myself(case: Case, user: User, data: dict[str, Any]) -> None:
    """Complete the newcomer's open self-assessment with ``data`` (shaped as zelfbeoordeling.json).

    :raises StaleTask: no self-assessment is open (filled in already, or the meeting's day has come).
    :raises InvalidSubmission or ActionRefused: nothing is stored then (the caller rolls back).
    """
    task = open_newcomer_task(case, user, SELF_ASSESSMENT_TASK)
    if task is None:
        raise StaleTask(None)
    complete_task(task.id, data, user)


@dataclass(frozen=True)
class Exam:
    part: str  # code, voortgangsgesprek.json examens[].onderdeel
    result: str  # code, examens[].resultaat
    on: date | None


@dataclass(frozen=True)
class MeetingView:
    """A progress meeting with the goals of the plan version it was held against (by number)."""

    meeting: ProgressMeeting
    goals: dict[int, PlanGoal]
    exams: list[Exam]


def my_meetings(case: Case) -> list[MeetingView]:
    """The case's progress meetings, newest first. Each meeting's goal numbers are read against the plan
    version in force at that meeting, so a later plan change does not rename an earlier goal."""
    form = plan_form(case)
    current = {goal.number: goal for goal in my_plan_goals(case)}
    views = []
    for meeting in reversed(meetings(case)):
        version = db.session.get(PlanVersion, meeting.plan_version_id) if meeting.plan_version_id else None
        goals = ({g.number: g for g in _goals(list(version.content.get("doelen") or []), form)}
                 if version is not None else current)
        exams = [Exam(row.get("onderdeel") or "", row.get("resultaat") or "",
                      date.fromisoformat(row["datum"]) if row.get("datum") else None) for row in meeting.exams or []]
        views.append(MeetingView(meeting, goals, exams))
    return views


def open_concerns(case: Case) -> int:
    return sum(1 for concern in concerns_of(case) if concern.status == Concern.OPEN)
