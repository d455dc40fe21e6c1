"""Issue 11, finding 4: the date arithmetic, checked on every day from 1 January 2027 to 31 December 2030.

Four years hold a leap day (29 February 2028), every month end and eight summer-time changes in
Europe/Amsterdam. Each rule is stated as a property and checked by explicit loops (no sampling), so a
failure names the day. The term (``term_end``), the PIP's 10-week deadline with each start-event setting
and its escalation moment (``after_day``), the 18-month limit on a route switch (``whole_months_between``
against ``add_months``), and every ``dueIn`` and duration timer in workflows/ plus the escalation settings
(``deadline``). Kept under a few seconds.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from portal import dates
from portal.dates import add_months, add_years, after_day, deadline, local_date, term_end, whole_months_between

AMS = ZoneInfo("Europe/Amsterdam")
FIRST, LAST = date(2027, 1, 1), date(2030, 12, 31)
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows" / "bpmn"


def test_the_range_holds_the_edges():
    assert len(DAYS) == 1461 and date(2028, 2, 29) in DAYS
    changes = [d for d in DAYS if datetime.combine(d, time(12), AMS).utcoffset()
               != datetime.combine(d - timedelta(days=1), time(12), AMS).utcoffset()]
    assert len(changes) == 8  # four springs, four autumns


def test_the_term_of_three_years_from_every_start_day():
    """Wi2021: the term is three years; it ends on the day before the same date three years on, or on
    28 February when a 29 February start has no anniversary (dates.term_end)."""
    previous = None
    for start in DAYS:
        end = term_end(start, 3)  # never an error (finding 1: a start on 29 February gave HTTP 500)
        anniversary = add_years(start, 3)
        if (start.month, start.day) == (2, 29):
            assert end == anniversary == date(start.year + 3, 2, 28), start
        else:
            assert end == anniversary - timedelta(days=1), start
        assert (end - start).days + 1 in (1095, 1096), start  # three calendar years, with or without a leap day
        assert previous is None or end >= previous, start  # a later start never ends earlier
        previous = end


@pytest.mark.parametrize("event", ["koppeling", "verhuizing", "kennisgeving_brp"])
def test_the_ten_week_deadline_from_every_day_and_each_start_event(app, event):
    """Besluit inburgering 2021 art. 5.3: the first PIP within 10 weeks; the start event is a setting
    (koppeling, move, or the later of DUO's notice and the BRP registration); the escalation is due once the
    last day has ended, at 00:00 Dutch time (after_day)."""
    from portal.cases.services import pip_deadline, pip_deadline_start

    with app.test_request_context():
        municipality = SimpleNamespace(pip_deadline_start=event)
        for day in DAYS:
            later = day + timedelta(days=day.toordinal() % 40)  # 0 … 39 days later, varying with the day
            case = SimpleNamespace(municipality=municipality, pip_deadline_event=None, koppeling_date=day,
                                   moved_date=later,
                                   duo_notice_date=later if day.day % 2 else day,
                                   brp_registration_date=day if day.day % 2 else later)
            start = pip_deadline_start(case)
            assert start == (day if event == "koppeling" else later), (event, day)
            last = pip_deadline(case)
            assert last == start + timedelta(weeks=10) and last.weekday() == start.weekday(), (event, day)
            escalation = after_day(last)
            local = escalation.astimezone(AMS)
            assert (local.date(), local.time()) == (last + timedelta(days=1), time(0)), (event, day)
            assert local_date(escalation - timedelta(seconds=1)) == last  # deciding on the last day is on time
            assert escalation.utcoffset() == timedelta(0) and escalation.hour in (22, 23)


def test_the_18_month_limit_agrees_with_add_months_on_every_day():
    """DOMAIN.md §2.4: a route switch only within 18 months of the start of the term; the limit is reached on
    add_months(start, 18), also at month ends (31 August + 18 months = 28/29 February)."""
    for start in DAYS:
        limit = add_months(start, 18)
        assert whole_months_between(start, limit - timedelta(days=1)) == 17, start
        assert whole_months_between(start, limit) == 18, start
        assert whole_months_between(start, start) == 0
        assert 540 <= (limit - start).days <= 553, start
    for day in DAYS[::7]:  # against a slow count, every week of the range as the end
        start = date(2026, 8, 31)
        slow = max(n for n in range(0, 60) if add_months(start, n) <= day)
        assert whole_months_between(start, day) == slow, day


def durations_in_workflows() -> set[str]:
    found: set[str] = set()
    for path in WORKFLOWS.glob("*.bpmn"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'name="dueIn" value="([^"]+)"', text))
        found |= set(re.findall(r'<bpmn:timeDuration[^>]*>"([^"]+)"</bpmn:timeDuration>', text))
    return found


def test_every_due_in_and_duration_timer_on_every_day(app):
    """dueIn and duration timers count on the Dutch calendar: the due moment keeps the wall clock of the moment
    the task became ready (an hour skipped in spring moves it on by that hour) and falls on the calendar date
    dates.add gives, whatever summer-time change lies between."""
    found = durations_in_workflows()
    assert {"P1W", "P3W", "P8W", "P14D"} <= found, found  # the parse found the diagrams' durations
    settings = {v for v in app.config["ESCALATION"].values() if isinstance(v, str)}
    durations = sorted(found | settings)
    for day in DAYS:
        for wall in (time(2, 30), time(10, 0), time(23, 45)):
            ready = datetime.combine(day, wall, AMS).astimezone(UTC)  # 02:30 may not exist: Python moves it
            ready_local = ready.astimezone(AMS)
            for duration in durations:
                due = deadline(ready, duration)
                local = due.astimezone(AMS)
                expected_day = dates.add(ready_local.date(), duration)
                assert due.tzinfo == UTC and due > ready, (day, wall, duration)
                wanted = datetime.combine(expected_day, ready_local.time(), AMS)
                if wanted.astimezone(UTC).astimezone(AMS).time() != ready_local.time():
                    # the wall time does not exist on the due day (spring): one hour on
                    assert local.date() == expected_day and local.hour == ready_local.hour + 1, (day, wall, duration)
                else:
                    assert (local.date(), local.time()) == (expected_day, ready_local.time()), (day, wall, duration)
                elapsed = (due - ready) / timedelta(hours=1)
                nominal = (expected_day - ready_local.date()).days * 24
                assert abs(elapsed - nominal) <= 1, (day, wall, duration)  # at most the hour of a clock change
