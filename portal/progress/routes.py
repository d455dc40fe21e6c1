"""Changing the learning route (schakelen) and scaling down to A2 inside the B1-route (afschalen).

Two different legal acts, two rule sets (issue 11, finding 3):

- A **route switch** is a new route in the plan: only within 18 months of the start of the term, except from
  the onderwijsroute to the B1-route (DOMAIN.md §2.4). B1-route → Z-route is a switch like any other.
- **Afschalen** keeps the B1-route and lowers the exam goal to A2. It is its own decision (the voortgang
  task ``afschalen_besluit``) and has no time limit, but it needs at least 600 course hours at a provider with a
  quality mark (keurmerk) **and** sufficient effort, recorded from the provider's attendance and the
  regisseur's reasoned judgement (Besluit inburgering 2021 art. 5.5; DOMAIN.md §2.2, §2.4, §3). The plan version
  that follows carries the A2 level (``leerroute.taalniveau``) and a goal for the A2 exams.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from portal.cases.models import Case
from portal.extensions import db
from portal.plans.services import current_version
from portal.progress.models import FollowUp
from portal.progress.services import hours_attended, term_months_elapsed

B1_ROUTE, Z_ROUTE, ONDERWIJSROUTE = "b1_route", "z_route", "onderwijsroute"
ROUTE_SWITCH_MONTHS = 18  # DOMAIN.md §2.4 (nt2.nl/Divosa): another route only within 18 months of the term's start
#: Route switches allowed at any time, outside the 18 months: from the onderwijsroute back to the B1-route
#: (DOMAIN.md §2.4; Divosa, "Wet inburgering vraag en antwoord – leerroutes").
SWITCH_ANY_TIME = {(ONDERWIJSROUTE, B1_ROUTE)}
#: Besluit inburgering 2021 art. 5.5: scaling down only after at least 600 course hours at a quality-mark provider.
SCALE_DOWN_HOURS = 600
#: pip_opstellen.json, leerroute.taalniveau: the exam level after scaling down.
LEVEL_A2 = "a2"
#: afschalen_besluit.json: the decision that scales down (the other is "niet_afschalen").
SCALE_DOWN = "afschalen"


def route_of(content: dict[str, Any] | None) -> str | None:
    return ((content or {}).get("leerroute") or {}).get("route")


def scaled_down(content: dict[str, Any] | None) -> bool:
    return ((content or {}).get("leerroute") or {}).get("taalniveau") == LEVEL_A2


def scale_down_decision(case: Case) -> date | None:
    """The day of the latest granted afschalen decision, or None (a later refusal does not undo a grant)."""
    rows = db.session.execute(select(FollowUp.outcome, FollowUp.created_at).where(
        FollowUp.case_id == case.id, FollowUp.kind == FollowUp.SCALE_DOWN).order_by(FollowUp.id.desc())).all()
    return next((created.date() for outcome, created in rows if outcome == SCALE_DOWN), None)


def has_a2_exam_goal(content: dict[str, Any]) -> bool:
    """A language goal in the plan that names the A2 exams."""
    return any(goal.get("leefgebied") == "taal_en_leerbaarheid" and "a2" in (goal.get("doel") or "").lower()
               for goal in content.get("doelen") or [])


def scale_down_refusal(case: Case, data: dict[str, Any]) -> str | None:
    """Why the afschalen decision may not be "afschalen", or None. Besluit inburgering 2021 art. 5.5.

    :param data: the afschalen_besluit form: ``aanbieder`` {naam, keurmerk, uren}, ``inzet`` {aanwezigheid,
        deelname, oordeel, motivering}.
    """
    current = current_version(case)
    if current is None or route_of(current.content) != B1_ROUTE:
        return _("Afschalen kan alleen binnen de B1-route. Een andere leerroute is een routewissel, met een "
                 "eigen regel (binnen %(max)d maanden na het begin van de termijn).", max=ROUTE_SWITCH_MONTHS)
    if scaled_down(current.content):
        return _("Het plan is al afgeschaald naar A2.")
    provider, effort = data.get("aanbieder") or {}, data.get("inzet") or {}
    if provider.get("keurmerk") is not True:
        return _("Afschalen kan alleen na lessen bij een taalaanbieder met keurmerk (Besluit inburgering 2021 "
                 "art. 5.5).")
    hours = int(provider.get("uren") or 0)
    if hours < SCALE_DOWN_HOURS:
        return _("Afschalen kan pas na minstens %(min)d lesuren bij een aanbieder met keurmerk; volgens de aanbieder "
                 "zijn %(hours)d uur gevolgd (Besluit inburgering 2021 art. 5.5).", min=SCALE_DOWN_HOURS, hours=hours)
    if effort.get("oordeel") != "voldoende" or len((effort.get("motivering") or "").strip()) < 40:
        return _("Afschalen kan alleen bij voldoende inzet: leg je oordeel vast met de onderbouwing, naast de "
                 "aanwezigheid volgens de aanbieder (Besluit inburgering 2021 art. 5.5).")
    return None


def route_change_refusal(case: Case, content: dict[str, Any]) -> str | None:
    """Why a drafted plan's route or exam level is not allowed, or None. Checked against the plan in force.

    A switch (*schakelen*) only within 18 months of the start of the term (DOMAIN.md §2.4, nt2.nl/Divosa),
    except from the onderwijsroute to the B1-route, which is allowed at any time (:data:`SWITCH_ANY_TIME`).
    B1-route → Z-route is a switch too; scaling down is not a switch but the A2 level inside the B1-route,
    allowed only after a granted afschalen decision and with the A2 exam goal in the plan.
    """
    current = current_version(case)
    new_route = route_of(content)
    old_route = route_of(current.content) if current else None
    if scaled_down(content) and not (current and scaled_down(current.content) and old_route == new_route):
        if new_route != B1_ROUTE:
            return _("Examens op A2 na afschalen horen bij de B1-route; kies de B1-route of het gewone niveau.")
        if scale_down_decision(case) is None:
            return _("Afschalen naar A2 kan pas na een besluit afschalen in de voortgang (minstens %(min)d lesuren "
                     "bij een aanbieder met keurmerk en voldoende inzet, Besluit inburgering 2021 art. 5.5).",
                     min=SCALE_DOWN_HOURS)
    if scaled_down(content) and not has_a2_exam_goal(content):
        return _("Neem bij afschalen het doel voor de examens op A2 op in het plan (leefgebied Taal en "
                 "leerbaarheid, met 'A2' in het doel).")
    if current is None or not new_route or new_route == old_route:
        return None
    if (old_route, new_route) in SWITCH_ANY_TIME:
        return None
    months = term_months_elapsed(case)
    if months is not None and months >= ROUTE_SWITCH_MONTHS:
        return _("Een andere leerroute kan alleen binnen %(max)d maanden na het begin van de inburgeringstermijn; "
                 "de termijn loopt nu %(months)d maanden. Wil je binnen de B1-route naar A2, kies dan "
                 "'Afschalen' in het casusoverleg.", max=ROUTE_SWITCH_MONTHS, months=months)
    return None


def recorded_hours(case: Case) -> int:
    """Course hours attended as the provider reported them at the progress meetings (for the decision panel)."""
    return hours_attended(case)
