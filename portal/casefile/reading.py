"""The case page for reading: a summary first, then per life domain what was found, agreed and achieved.

*Found* is what the intake steps recorded; *agreed* is the plan in force (its fields per life domain and
its goals); *achieved* is, per goal, the status each progress meeting gave it and the newcomer's own
rating from each self-assessment. Every stored code is shown as its label (the form schemas' titles,
translated). Health data (``x-sensitivity``) is masked for roles that may not see it, and a read of it is
audited once per page (:func:`portal.tasks.answers.audit_sensitive_read`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from portal.auth.models import User
from portal.cases.domains import LIFE_DOMAINS
from portal.cases.models import Case
from portal.dates import local_date
from portal.db import local_today
from portal.engine import FormSpec
from portal.extensions import db
from portal.forms import display_value
from portal.plans.models import PlanVersion
from portal.plans.services import current_version, latest_version
from portal.plans.spec import plan_form
from portal.processes.diagram import process, user_task
from portal.progress.models import ProgressMeeting, SelfAssessment
from portal.tasks.answers import DossierItem, answered_items, audit_sensitive_read
from portal.tasks.models import HumanTask, WorkflowInstance
from portal.tasks.workflow import case_runtime, form_spec_for

#: The plan's own steps: their answers are read from the plan version in force, not from the step.
PLAN_STEPS = frozenset(user_task(t, __name__) for t in ("pip_opstellen", "pip_vaststellen", "pip_ondertekenen"))
DECISION_STEP = user_task("pip_vaststellen", __name__)
MEETING_STEP = user_task("voortgangsgesprek", __name__)
SELF_ASSESSMENT_STEP = user_task("zelfbeoordeling", __name__)
#: Processes whose steps have their own section on the case page (the progress section).
OWN_SECTION_PROCESSES = frozenset(process(p, __name__) for p in ("voortgang", "handhaving", "inburgering"))
#: The conversation's own fields (date, language, interpreter) go to the conversations table.
CONVERSATION_FIELDS = {"datum": "date", "gesproken_taal": "language", "tolk": "interpreter"}
#: Days before a deadline from which it is shown as close.
SOON_DAYS = 14


@dataclass(frozen=True)
class Urgency:
    """A deadline as text: the colour of ``level`` (overdue, soon, later) only supports the words."""
    due: date
    days: int
    level: str
    text: str


def urgency(due: date | datetime, today: date | None = None) -> Urgency:
    day = local_date(due) if isinstance(due, datetime) else due
    days = (day - (today or local_today())).days
    if days < 0:
        return Urgency(day, days, "overdue", _("%(num)d dagen te laat", num=-days) if days < -1
                       else _("1 dag te laat"))
    if days == 0:
        return Urgency(day, days, "soon", _("vandaag"))
    level = "soon" if days <= SOON_DAYS else "later"
    return Urgency(day, days, level, _("nog %(num)d dagen", num=days) if days > 1 else _("morgen"))


@dataclass(frozen=True)
class Deadline:
    what: str
    urgency: Urgency


@dataclass
class PlanState:
    number: int | None = None
    decided_on: datetime | None = None
    signed_on: datetime | None = None
    #: A newer draft in preparation (a change of the plan), if any.
    draft_number: int | None = None


@dataclass
class GoalView:
    number: int
    domain: str
    goal: str
    action: str
    who: str
    #: (meeting number, held on, status label, note) per meeting, oldest first.
    statuses: list[tuple[int, date, str, str]] = field(default_factory=list)
    #: (submitted at, rating label) per self-assessment, oldest first.
    ratings: list[tuple[datetime, str]] = field(default_factory=list)


@dataclass
class DomainView:
    key: str
    label: str
    found: list[DossierItem] = field(default_factory=list)
    agreed: list[DossierItem] = field(default_factory=list)
    goals: list[GoalView] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.found or self.agreed or self.goals)


@dataclass
class Conversation:
    step: str
    task_id: int
    may_open: bool
    date: str = ""
    language: str = ""
    interpreter: str = ""


@dataclass
class Reading:
    domains: list[DomainView]
    #: What the conversations recorded about themselves and the duty to inform (domain "gesprek").
    conversation_items: list[DossierItem]
    conversations: list[Conversation]
    decision: list[DossierItem]
    plan: PlanState
    #: The plan's general fields without a life domain (e.g. the plan date, the meeting interval).
    plan_general: list[DossierItem]


def _shown(spec_field, value: Any) -> Any:
    if spec_field.kind == "boolean":
        return _("Ja") if value else _("Nee")
    return display_value(spec_field, value)


def answers(spec: FormSpec, data: dict[str, Any], user: User, step: str) -> list[tuple[str, DossierItem]]:
    """(life domain, item) for every answered field of ``data`` (rows left out), masked for ``user``."""
    return answered_items(spec, data, user, step, shown=_shown)


def _choice_label(spec: FormSpec | None, path: tuple[str, ...], code: Any) -> str:
    """The translated title of a choice code at ``path`` (``rows`` children included); the code if unknown."""
    if spec is None or code in (None, ""):
        return "" if code is None else str(code)
    fields = spec.fields
    found = None
    for part in path:
        found = next((f for f in fields if f.name == part), None)
        if found is None:
            return str(code)
        fields = found.children
    choice = next((c for c in found.choices if c.value == code), None) if found else None
    return _(choice.label) if choice else str(code)


def _spec(case: Case, bpmn_id: str) -> FormSpec | None:
    try:
        return case_runtime(case).form_spec(bpmn_id)
    except (KeyError, LookupError):
        return None


def plan_state(case: Case, version: PlanVersion | None) -> PlanState:
    """``version``: the case's current (decided) version, as the caller has it."""
    latest = latest_version(case)
    state = PlanState()
    if version is not None:
        state.number, state.decided_on = version.number, version.decided_at
        signature = next((s for s in version.signatures if s.user_id == case.newcomer_user_id), None) \
            if case.newcomer_user_id else None
        state.signed_on = signature.signed_at if signature is not None else None
    if latest is not None and latest.status == PlanVersion.DRAFT:
        state.draft_number = latest.number
    return state


def _goals(case: Case, version: PlanVersion | None, spec: FormSpec | None) -> list[GoalView]:
    if version is None:
        return []
    goals = [GoalView(number=n, domain=row.get("leefgebied") or "overig", goal=row.get("doel") or "",
                      action=row.get("actie") or "", who=_choice_label(spec, ("doelen", "wie"), row.get("wie")))
             for n, row in enumerate(version.content.get("doelen") or [], start=1)]
    by_number = {goal.number: goal for goal in goals}
    meeting_spec = _spec(case, MEETING_STEP)
    for meeting in db.session.scalars(select(ProgressMeeting).where(ProgressMeeting.case_id == case.id)
                                      .order_by(ProgressMeeting.number)):
        for row in meeting.goals or []:
            goal = by_number.get(row.get("nummer"))
            if goal is not None:
                goal.statuses.append((meeting.number, meeting.held_on,
                                      _choice_label(meeting_spec, ("doelen", "status"), row.get("status")),
                                      row.get("toelichting") or ""))
    rating_spec = _spec(case, SELF_ASSESSMENT_STEP)
    for assessment in db.session.scalars(select(SelfAssessment).where(SelfAssessment.case_id == case.id)
                                         .order_by(SelfAssessment.created_at, SelfAssessment.id)):
        for row in assessment.goals or []:
            goal = by_number.get(row.get("nummer"))
            if goal is not None:
                goal.ratings.append((assessment.created_at,
                                     _choice_label(rating_spec, ("doelen", "oordeel"), row.get("oordeel"))))
    return goals


def reading(case: Case, user: User, completed: list[HumanTask], may_open) -> Reading:
    """The case page's reading of ``case`` for ``user`` (``completed``: its finished steps, newest first)."""
    domains = {key: DomainView(key, str(label)) for key, label in LIFE_DOMAINS.items()}
    conversations, decision, shown = [], [], []
    for task in completed:
        if task.process_id in OWN_SECTION_PROCESSES or task.bpmn_id in PLAN_STEPS and task.bpmn_id != DECISION_STEP:
            continue
        conversation = Conversation(step=task.title, task_id=task.id, may_open=may_open(user, task))
        for domain, item in answers(form_spec_for(task), task.submitted_data or {}, user, task.title):
            shown.append(item)
            if task.bpmn_id == DECISION_STEP:
                decision.append(item)
            elif len(item.path) == 2 and item.path[0] == "gesprek" and item.path[1] in CONVERSATION_FIELDS:
                setattr(conversation, CONVERSATION_FIELDS[item.path[1]], item.value)
            else:
                domains.get(domain, domains["overig"]).found.append(item)
        if conversation.date:
            conversations.append(conversation)
    version = current_version(case)
    spec = plan_form(case) if version is not None else None
    plan_general = []
    if version is not None and spec is not None:
        step = _("Plan versie %(number)d", number=version.number)
        for domain, item in answers(spec, version.content, user, step):
            shown.append(item)
            if domain == "gesprek":
                plan_general.append(item)
            else:
                domains.get(domain, domains["overig"]).agreed.append(item)
    for goal in _goals(case, version, spec):
        domains.get(goal.domain, domains["overig"]).goals.append(goal)
    audit_sensitive_read(case, user, shown, "casefile.show")
    conversation_items = domains.pop("gesprek").found
    return Reading(domains=[d for d in domains.values() if not d.empty], conversation_items=conversation_items,
                   conversations=conversations, decision=decision, plan=plan_state(case, version),
                   plan_general=plan_general)


def deadlines(case: Case, tasks: list[HumanTask], concerns) -> list[Deadline]:
    """The dates that bind this case, soonest first: the PIP deadline, open steps, unanswered concerns."""
    found = []
    if case.pip_deadline and not case.pip_decided_on:
        found.append(Deadline(_("PIP vaststellen"), urgency(case.pip_deadline)))
    found += [Deadline(_(task.title), urgency(task.due_at)) for task in tasks if task.due_at]
    found += [Deadline(_("Zorg beantwoorden: %(category)s", category=c.category), urgency(c.due_at))
              for c in concerns if not c.answered and c.due_at]
    return sorted(found, key=lambda d: d.urgency.due)


def waiting_until(case: Case) -> datetime | None:
    """When the case's process moves on by itself (its next timer), for a case without an open step."""
    return db.session.scalar(select(WorkflowInstance.next_timer_due).where(WorkflowInstance.case_id == case.id))
