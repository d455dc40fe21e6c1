"""Portal actions of the cases room (see portal.processes.actions)."""

from datetime import date

from portal.cases.services import record_move
from portal.processes.actions import ActionContext, Facts, portal_action


@portal_action("case.moved")
def moved(context: ActionContext) -> Facts:
    """The newcomer moved into their house: keep the date; it may move the PIP deadline."""
    record_move(context.case, date.fromisoformat(context.data["verhuisdatum"]))
    return {"pip_uiterlijk": context.case.pip_deadline.isoformat()}
