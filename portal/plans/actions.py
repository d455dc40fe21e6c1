"""Portal actions of the plans room: the PIP process steps that change the plan record."""

from flask_babel import gettext as _
from sqlalchemy import select

from portal.cases.models import Case
from portal.extensions import db
from portal.i18n import format_day
from portal.plans.models import Plan
from portal.plans.rules import onderwijsroute_age_refusal
from portal.plans.services import (
    answer_questions,
    current_version,
    decide,
    draft_checks,
    draft_version,
    latest_version,
    responses,
)
from portal.processes.actions import ActionContext, ActionRefused, Facts, portal_action
from portal.tasks.context import TaskPanel, task_context
from portal.tasks.initial import task_initial_data
from portal.tasks.workflow import form_spec_for


@portal_action("plan.draft")
def draft(context: ActionContext) -> Facts:
    """pip_opstellen: the drafted plan becomes a new, immutable version, unless a rule refuses it: a
    registered check (the progress room's route-change rule, which no reason can lift, speaks first) or the
    onderwijsroute's age limit (:mod:`portal.plans.rules`)."""
    refusal = draft_checks.first(context.case, context.data) or onderwijsroute_age_refusal(context.case, context.data)
    if refusal:
        raise ActionRefused(refusal)
    draft_version(context.case, context.data, form_spec_for(context.task), context.user)
    return None


@portal_action("plan.decide")
def decide_plan(context: ActionContext) -> Facts:
    """pip_vaststellen: the latest draft becomes the beschikking (and fixes the term on the first one)."""
    version = decide(context.case, context.data, context.user)
    return {"plan_vastgesteld": True, "termijn_einde": version.plan.term_end.isoformat()}


@portal_action("plan.sign")
def signed(context: ActionContext) -> Facts:
    """pip_ondertekenen completes only on a real signature or a real question for the current version."""
    version = current_version(context.case)
    if version is None:
        raise ActionRefused(_("Er is geen vastgesteld plan."))
    if context.data.get("besluit") == "akkoord":
        if not version.signed_by(context.user.id):
            raise ActionRefused(_("Het plan is nog niet ondertekend."))
    elif not responses(version, unanswered_only=True):
        raise ActionRefused(_("Er is geen vraag van de inburgeraar vastgelegd."))
    return None


@portal_action("plan.answer")
def answer(context: ActionContext) -> Facts:
    """pip_vraag_beantwoorden: the regisseur's answer closes the newcomer's open question."""
    answer_questions(context.case, context.data.get("antwoord"))
    return None


@task_context("pip_opstellen", "pip_vaststellen")
def term_panel(task, user) -> TaskPanel | None:
    """The integration term, read-only: derived from the first beschikking, never typed into the plan."""
    plan = db.session.scalar(select(Plan).where(Plan.case_id == task.case_id))
    if plan is not None and plan.term_start is not None:
        return TaskPanel(title=_("Inburgeringstermijn"), rows=(
            (_("Termijn"), _("%(start)s tot en met %(end)s", start=format_day(plan.term_start),
                             end=format_day(plan.term_end))),
            (_("Vastgelegd"), _("Bij de beschikking van %(date)s. Een wijziging van het plan verandert de termijn "
                                "niet (Wet inburgering 2021 art. 11 lid 3).", date=format_day(plan.pip_date))),
        ))
    if task.bpmn_id != "pip_vaststellen":
        return None
    return TaskPanel(title=_("Inburgeringstermijn"), rows=(
        (_("Termijn"), _("Begint de dag na de datum van dit besluit en duurt drie jaar (Wet inburgering 2021 "
                         "art. 11).")),
    ))


@task_initial_data("pip_opstellen")
def plan_in_force(task, user) -> dict | None:
    """A change starts from the plan in force: every field of the latest version (the decided plan, or a draft
    that was sent back before deciding), as far as the plan's form knows it; rows become as many rows."""
    version = latest_version(db.session.get(Case, task.case_id))
    if version is None:
        return None
    known = {spec.name for spec in form_spec_for(task).fields}
    return {name: value for name, value in version.content.items() if name in known}


@task_initial_data("pip_vaststellen")
def objection_period(task, user) -> dict | None:
    """The objection period is fixed at six weeks (Awb art. 6:7): shown filled in, not typed."""
    return {"bezwaartermijn_weken": 6}
