"""Portal actions of the enforcement room (the handhaving process), and what its review task page shows."""

from flask_babel import gettext as _

from portal.enforcement.models import EnforcementStep
from portal.enforcement.services import INTAKE_LADDER, decide, open_proposal, pip_step, propose
from portal.processes.actions import ActionContext, Facts, portal_action
from portal.progress.labels import ENFORCEMENT_TRACKS, label
from portal.tasks.context import TaskPanel, task_context


@portal_action("enforcement.propose")
def proposal(context: ActionContext) -> Facts:
    """handhaving_voorstel: refused unless the ladder, the amount and support-first allow it; "geen sanctie"
    (with a reason) always completes it and skips the teamleider's review (gateway gw_sanctie)."""
    propose(context.case, context.task, context.data, context.user)
    return None


@portal_action("enforcement.decide")
def decision(context: ActionContext) -> Facts:
    """handhaving_beoordelen: the teamleider's approval or rejection."""
    step = decide(context.case, context.data, context.user)
    return {"handhaving_goedgekeurd": step.status == step.APPROVED}


@task_context("handhaving_beoordelen")
def proposal_panel(task, user) -> TaskPanel | None:
    """handhaving_beoordelen: what the portal decided about the proposal. The proposal's answers
    (culpability, support, measure) are shown by BPMN showSteps; the track, the step on the ladder and
    the amount as recorded are the portal's, not the regisseur's."""
    proposed = open_proposal(task.case)
    if proposed is None:
        return None
    if proposed.track == EnforcementStep.INTAKE:
        rung = _("Stap %(rung)d van %(total)d", rung=proposed.rung, total=len(INTAKE_LADDER))
    else:  # the PIP ladder: a warning, then fines rising to the law's maximum
        measure, standard = pip_step(proposed.rung)
        rung = (_("Stap %(rung)d: schriftelijke waarschuwing", rung=proposed.rung) if measure == EnforcementStep.WARNING
                else _("Stap %(rung)d: boete van ten hoogste € %(amount)d", rung=proposed.rung, amount=standard))
    return TaskPanel(title=_("Voorstel volgens het portaal"), rows=(
        (_("Spoor"), label(ENFORCEMENT_TRACKS, proposed.track)),
        (_("Stap op de ladder"), rung),
        (_("Bedrag zoals vastgelegd"), _("€ %(amount)d", amount=proposed.amount_euro) if proposed.amount_euro
         else _("geen (waarschuwing)")),
    ))
