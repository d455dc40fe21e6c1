"""Portal actions of the cases room (see portal.tasks.actions)."""

from datetime import date

from portal.cases.services import record_move
from portal.tasks.actions import ActionContext, portal_action


@portal_action("case.moved")
def moved(context: ActionContext) -> None:
    """The newcomer moved into their house: keep the date; it may start the PIP deadline."""
    record_move(context.case, date.fromisoformat(context.data["verhuisdatum"]))
