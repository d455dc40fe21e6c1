"""Portal actions of the cases room (see portal.processes.actions)."""

from datetime import date

from portal.cases.services import record_move, record_notices
from portal.processes.actions import ActionContext, Facts, portal_action


@portal_action("case.moved")
def moved(context: ActionContext) -> Facts:
    """The newcomer moved into their house: keep the date; it may move the PIP deadline."""
    record_move(context.case, date.fromisoformat(context.data["verhuisdatum"]))
    return {"pip_uiterlijk": context.case.pip_deadline.isoformat()}


@portal_action("case.notices")
def notices(context: ActionContext) -> Facts:
    """kennismakingsgesprek: the dates of DUO's notice and the BRP registration, when known; they may
    move the PIP deadline (Besluit inburgering 2021 art. 5.3)."""
    duo, brp = context.data.get("kennisgeving_duo_datum"), context.data.get("brp_inschrijving_datum")
    record_notices(context.case, date.fromisoformat(duo) if duo else None, date.fromisoformat(brp) if brp else None)
    return {"pip_uiterlijk": context.case.pip_deadline.isoformat()}
