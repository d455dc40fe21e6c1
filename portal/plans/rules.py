"""Legal rules a drafted plan must keep that the plans room itself knows (the route-change rule lives with
the progress facts, registered in :data:`portal.plans.services.draft_checks`).

Each rule names its source (DOMAIN.md section and the guidance or article behind it).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from portal.cases.models import Case
from portal.db import local_today

ONDERWIJSROUTE = "onderwijsroute"
#: The plan field with the reason for giving the onderwijsroute above the age limit (pip_opstellen.json).
AGE_EXCEPTION_FIELD = "uitzondering_leeftijd"


def age_on(birth: date, day: date) -> int:
    """Full years of age on ``day`` (someone born on 29 February turns a year older on 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def onderwijsroute_age_refusal(case: Case, content: dict[str, Any]) -> str | None:
    """The onderwijsroute is meant for newcomers younger than 28 (``ONDERWIJSROUTE_AGE_LIMIT``); an older
    newcomer may still get it, but only with the reason recorded in the plan, where it shows.

    Sources: DOMAIN.md §2.2 (onderwijsroute "up to age 28", Schulinck "De onderwijsroute in het nieuwe
    inburgeringsstelsel") and §2.3 (a route decision must be reasoned: ECLI:NL:RVS:2024:5413). The age
    counts on the day the plan is drafted (the plan carries no date of its own: its date is the
    beschikking's, :mod:`portal.plans.term`).
    """
    route = content.get("leerroute") or {}
    if route.get("route") != ONDERWIJSROUTE:
        return None
    limit = current_app.config["ONDERWIJSROUTE_AGE_LIMIT"]
    age = age_on(case.birth_date, local_today())
    if age < limit or (route.get(AGE_EXCEPTION_FIELD) or "").strip():
        return None
    return _("De onderwijsroute is bedoeld voor inburgeraars tot %(limit)d jaar; deze inburgeraar is nu "
             "%(age)d jaar. Kies een andere leerroute, of leg bij 'Reden voor de "
             "onderwijsroute boven de leeftijdsgrens' vast waarom de onderwijsroute toch past.",
             limit=limit, age=age)
