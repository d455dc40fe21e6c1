"""Urgency of a deadline in three levels, each with its own words (never colour alone).

=============  ==========================================  =======================
level          when                                        shown as
=============  ==========================================  =======================
``overdue``    the deadline day has passed                 "Te laat" (N dagen)
``soon``       within ``URGENCY_SOON_DAYS`` (steps, 7) or  "Binnenkort" (nog N dagen)
               ``URGENCY_PIP_SOON_DAYS`` (PIP, 28) days
``on_time``    later                                       "Op tijd" (nog N dagen)
=============  ==========================================  =======================

A deadline "uiterlijk op" a day is met on that day (``portal.dates.after_day``): on the day itself it
is "Binnenkort" with 0 days left, the next day "Te laat". The thresholds are settings
(``PORTAL_URGENCY_SOON_DAYS``, ``PORTAL_URGENCY_PIP_SOON_DAYS``); the PIP gets its own because its
window is 10 weeks, not one: 21 days before it the plan must be drafted now, 56 days before it not yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.dates import days_between, local_date

OVERDUE, SOON, ON_TIME = "overdue", "soon", "on_time"
#: Worst first: a row's urgency is the worst of its deadlines.
ORDER = (OVERDUE, SOON, ON_TIME)
LABELS = {OVERDUE: _l("Te laat"), SOON: _l("Binnenkort"), ON_TIME: _l("Op tijd")}
#: The tag variant (portal.css) per level.
VARIANTS = {OVERDUE: "overdue", SOON: "warning", ON_TIME: "success"}


@dataclass(frozen=True)
class Urgency:
    level: str
    deadline: date
    #: Days left (negative: days late).
    days_left: int

    @property
    def label(self) -> str:
        return str(LABELS[self.level])

    @property
    def variant(self) -> str:
        return VARIANTS[self.level]

    @property
    def detail(self) -> str:
        if self.days_left < 0:
            return ngettext("%(num)d dag te laat", "%(num)d dagen te laat", -self.days_left)
        if self.days_left == 0:
            return str(_l("vandaag"))
        return ngettext("nog %(num)d dag", "nog %(num)d dagen", self.days_left)


def deadline_day(moment: datetime | date) -> date:
    return moment if not isinstance(moment, datetime) else local_date(moment)


def urgency(deadline: datetime | date, today: date, soon_days: int) -> Urgency:
    """The urgency of ``deadline`` (a day, or a moment on its Dutch calendar day) as seen ``today``."""
    day = deadline_day(deadline)
    left = days_between(today, day)
    level = OVERDUE if left < 0 else SOON if left <= soon_days else ON_TIME
    return Urgency(level, day, left)


def step_urgency(due_at: datetime | None, today: date) -> Urgency | None:
    if due_at is None:
        return None
    return urgency(due_at, today, current_app.config["URGENCY_SOON_DAYS"])


def pip_urgency(case, today: date) -> Urgency | None:
    """The countdown to the case's 10-week PIP deadline, until the first PIP is decided."""
    if case.pip_deadline is None or case.pip_decided_on is not None:
        return None
    return urgency(case.pip_deadline, today, current_app.config["URGENCY_PIP_SOON_DAYS"])


def worst(*found: Urgency | None) -> Urgency | None:
    present = [u for u in found if u is not None]
    return min(present, key=lambda u: (ORDER.index(u.level), u.days_left)) if present else None
