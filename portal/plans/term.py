"""The integration term (inburgeringstermijn): derived from decisions, never typed.

Rules, each with its source (DOMAIN.md §2.1, §2.3, §4.3):

- The term starts on the day after the PIP is adopted by beschikking and lasts three years
  (Wet inburgering 2021 art. 11). The date that counts is the decision date of the first beschikking
  (``besluitdatum`` of ``pip_vaststellen``), not a date typed into the plan.
- A changed or corrected PIP does not move the term (Wi2021 art. 11(3)): later versions leave it as it is.
- Only DUO extends the term, by a decision on a request with a ground (Wi2021 art. 12; Besluit inburgering
  2021 art. 4.3–4.4); the portal records that decision with its ground and never moves the end earlier.

Every decision is kept as a :class:`~portal.plans.models.TermDecision` row with the source it applied;
``Plan.term_start``/``term_end`` hold the term in force for quick reading.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from portal import dates
from portal.audit.services import record
from portal.auth.models import User
from portal.extensions import db
from portal.i18n import format_day
from portal.plans.models import Plan, TermDecision
from portal.refusal import Refused

TERM_YEARS = 3


def N_(text: str) -> str:  # noqa: N802 — marks a stored text for extraction; translated where it is shown
    return text


TERM_SOURCE = N_("Wet inburgering 2021 art. 11: de termijn begint de dag na de vaststelling van het PIP en duurt "
                 "drie jaar")
UNMOVED_SOURCE = N_("Wet inburgering 2021 art. 11 lid 3: een gewijzigd PIP verandert de termijn niet")
EXTENSION_SOURCE = N_("Wet inburgering 2021 art. 12; Besluit inburgering 2021 art. 4.3–4.4: verlenging door DUO")


class TermRefused(Refused):
    """The term cannot be set or extended like this; ``reason`` says why."""


def term_for_decision(decided_on: date) -> tuple[date, date]:
    """(first day, last day) of the term that a beschikking dated ``decided_on`` starts (art. 11).

    A decision on 28 February 2028 starts the term on the leap day and ends it on 28 February 2031
    (:func:`portal.dates.term_end`)."""
    start = dates.add_days(decided_on, 1)
    return start, dates.term_end(start, TERM_YEARS)


def start_term(plan: Plan, decided_on: date, user: User | None) -> TermDecision | None:
    """Fix the term with the first beschikking; a later one leaves it unchanged (art. 11(3)) and returns None."""
    if plan.term_start is not None:
        return None
    start, end = term_for_decision(decided_on)
    plan.pip_date, plan.term_start, plan.term_end = decided_on, start, end
    decision = TermDecision(plan=plan, kind=TermDecision.START, decided_on=decided_on, term_start=start,
                            term_end=end, source=TERM_SOURCE, recorded_by_id=user.id if user else None)
    db.session.add(decision)
    db.session.flush()
    record("write", "plan:term", "plans.term_start", case_id=plan.case_id, user_id=user.id if user else None,
           detail={"decided_on": decided_on.isoformat(), "start": start.isoformat(), "end": end.isoformat()})
    return decision


def extend_term(plan: Plan | None, new_end: date, decided_on: date, reason_code: str | None, reason: str | None,
                user: User | None) -> TermDecision:
    """Record DUO's granted extension (verlenging) with its ground: the term ends on ``new_end``.

    :raises TermRefused: no term yet, the new end is not later than the end in force, the decision
        predates the start of the term, or no ground is given.
    """
    if plan is None or plan.term_start is None or plan.term_end is None:
        raise TermRefused(_("Er is nog geen inburgeringstermijn: die begint pas na de eerste beschikking."))
    if new_end <= plan.term_end:
        raise TermRefused(_("De nieuwe einddatum moet na het huidige einde van de termijn (%(end)s) liggen.",
                            end=format_day(plan.term_end)))
    if decided_on < plan.pip_date:
        raise TermRefused(_("Het besluit over de verlenging kan niet eerder zijn dan de beschikking die de termijn "
                            "liet beginnen (%(date)s).", date=format_day(plan.pip_date)))
    if not reason_code and not (reason or "").strip():
        raise TermRefused(_("Geef de grond van de verlenging op."))
    decision = TermDecision(plan=plan, kind=TermDecision.EXTENSION, decided_on=decided_on,
                            term_start=plan.term_start, term_end=new_end, previous_end=plan.term_end,
                            reason_code=reason_code, reason=(reason or "").strip() or None, source=EXTENSION_SOURCE,
                            recorded_by_id=user.id if user else None)
    db.session.add(decision)
    plan.term_end = new_end
    db.session.flush()
    record("write", "plan:term_end", "plans.term_extension", case_id=plan.case_id, user_id=user.id if user else None,
           detail={"from": decision.previous_end.isoformat(), "to": new_end.isoformat(), "ground": reason_code})
    return decision


def term_decisions(plan: Plan | None) -> list[TermDecision]:
    """The decisions that made the term in force, oldest first."""
    if plan is None:
        return []
    return list(db.session.scalars(select(TermDecision).where(TermDecision.plan_id == plan.id)
                                   .order_by(TermDecision.id)))
