"""Portal actions of the progress room: the voortgang process steps that write the progress record."""

from datetime import date

from flask_babel import gettext as _

from portal.auth.models import User
from portal.cases.services import tell_newcomer
from portal.plans.services import draft_checks
from portal.processes.actions import ActionContext, Facts, portal_action
from portal.progress.labels import words_for
from portal.progress.models import FollowUp
from portal.progress.services import (
    NO_SUPPORT,
    ProgressRefused,
    extend_term,
    is_actual_support,
    latest_goal_ratings,
    meeting_facts,
    plan_goals,
    record_final_report,
    record_follow_up,
    record_meeting,
    record_self_assessment,
    route_change_refusal,
)
from portal.tasks.initial import task_initial_data
from portal.tasks.models import HumanTask


@portal_action("progress.self_assessment")
def self_assessment(context: ActionContext) -> Facts:
    """zelfbeoordeling: the newcomer's own view is kept for the meeting and the record."""
    record_self_assessment(context.case, context.task, context.data, context.user)
    return None


@portal_action("progress.meeting")
def meeting(context: ActionContext) -> Facts:
    """voortgangsgesprek: store the meeting and hand the process its verdicts."""
    stored = record_meeting(context.case, context.task, context.data, context.user)
    return meeting_facts(context.case, stored, carry_on=context.data["afspraken"]["vervolg"] == "doorgaan")


@portal_action("progress.support")
def support(context: ActionContext) -> Facts:
    """signaal_opvolgen: support first; a plan change sends the case through the PIP process again.
    "Geen ondersteuning nodig" is recorded, but it is no support: it never opens the way to a sanction."""
    chosen = context.data["ondersteuning"]
    if NO_SUPPORT in chosen and len(chosen) > 1:
        raise ProgressRefused(_("Kies 'Geen ondersteuning nodig' niet samen met een vorm van ondersteuning."))
    record_follow_up(context.case, context.task, FollowUp.SUPPORT, chosen[0], context.data, context.user)
    # Only an actual support action with its outcome opens the way to a sanction ("Ja, na ondersteuning").
    return {"plan_aanpassen": "plan_aanpassen" in chosen, "ondersteuning_geboden": is_actual_support(context.data)}


@portal_action("progress.conference")
def conference(context: ActionContext) -> Facts:
    """mdo: the case conference's outcome; "plan_aanpassen" makes a new PIP version."""
    outcome = context.data["uitkomst"]
    record_follow_up(context.case, context.task, FollowUp.CONFERENCE, outcome, context.data, context.user)
    return {"plan_aanpassen": outcome == "plan_aanpassen"}


def _extension(context: ActionContext, kind: str, outcome: str) -> Facts:
    """``outcome``: the evaluation's verlenging (niet_nodig/aangevraagd/toegekend) or DUO's besluit."""
    granted = outcome == "toegekend"
    facts: dict = {"verlengd": False}
    if granted:
        if not context.data.get("nieuwe_einddatum"):
            raise ProgressRefused(_("Vul de nieuwe einddatum van de termijn in."))
        new_end = extend_term(context.case, date.fromisoformat(context.data["nieuwe_einddatum"]), context.user)
        facts = {"verlengd": True, "termijn_einde": new_end.isoformat()}
    record_follow_up(context.case, context.task, kind, outcome, context.data, context.user)
    return facts


@portal_action("progress.evaluation")
def evaluation(context: ActionContext) -> Facts:
    """eindevaluatie: two months before the term ends; a granted extension keeps the meetings going."""
    return _extension(context, FollowUp.EVALUATION, context.data["verlenging"])


@portal_action("progress.extension")
def extension(context: ActionContext) -> Facts:
    """verlenging_besluit: DUO's decision on the extension request."""
    return _extension(context, FollowUp.EXTENSION, context.data["besluit"])


@portal_action("progress.final_report")
def final_report(context: ActionContext) -> Facts:
    """eindverslag: closes the trajectory; the newcomer receives it in the portal."""
    record_final_report(context.case, context.task, context.data, context.user)
    tell_newcomer(context.case, actor_id=context.user.id)
    return None


draft_checks.register(route_change_refusal)


#: Where the plan's goals were written (for the life domain's title).
GOAL_DOMAIN = ("pip_opstellen", "doelen.leefgebied")


@task_initial_data("voortgangsgesprek")
def goals_of_the_plan(task: HumanTask, user: User) -> dict | None:
    """The meeting lists every goal of the plan in force, each with the newcomer's latest own rating."""
    goals = plan_goals(task.case)
    if not goals:
        return None
    words, ratings = words_for(task.case), latest_goal_ratings(task.case)
    rows = []
    for number, goal in enumerate(goals, start=1):
        text = " – ".join(part for part in (words(GOAL_DOMAIN, goal.get("leefgebied")), goal.get("doel")) if part)
        rows.append({"nummer": number, "doel": text, "zelfbeoordeling": ratings.get(number)})
    return {"doelen": rows}
