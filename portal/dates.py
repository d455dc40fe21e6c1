"""Calendar arithmetic: the one place that adds years, months, weeks and days to dates and moments.

Pure standard library (no Flask, database or SpiffWorkflow), so the engine, the script sandbox and
the services all count the same way. The rules:

* **Durations** are ISO 8601 (``P3M``, ``P2W``, ``P10D``, ``P1Y6M``, ``PT36H``, ``P1DT12H``), parsed
  into a :class:`Duration` of whole numbers.
* **Months and years are calendar months**: the day of the month stays and is clamped to the end of
  a shorter month. 31 January + ``P1M`` is 28 (or 29) February; 29 February + ``P1Y`` is
  28 February. A month is never "30 days".
* **Order**: years and months first (as one number of months), then weeks and days, then the time
  part. 31 January + ``P1M1D`` is 1 March (in a common year).
* **Aware datetimes**: the date part moves the wall clock in the moment's own time zone (10:00 stays
  10:00 across a change to or from summer time); the time part (``PT36H``) is elapsed time. The
  portal keeps moments in UTC, where the two are the same; :func:`deadline` counts on the Dutch
  calendar (Europe/Amsterdam) and hands back UTC. Naive datetimes are refused.
* Plain dates take no time part: a date plus ``PT36H`` is an error, not a rounded day.

Working days and public holidays are not counted anywhere in the portal yet, so there is no helper
for them here.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

#: Calendar dates ("today", deadlines in days and weeks) are Dutch dates, whatever the server zone.
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")

D = TypeVar("D", date, datetime)


@dataclass(frozen=True)
class Duration:
    """A duration in calendar units; only the time part (hours, minutes, seconds) is elapsed time."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    def __post_init__(self) -> None:
        for part in fields(self):
            value = getattr(self, part.name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"Duration.{part.name} must be a whole number, not {value!r}")

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    @property
    def has_time(self) -> bool:
        """Whether the duration has hours, minutes or seconds (which a plain date cannot take)."""
        return bool(self.hours or self.minutes or self.seconds)


_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)
_TIME_PARTS = ("hours", "minutes", "seconds")


def parse_duration(text: str) -> Duration:
    """Parse an ISO 8601 duration: ``P`` then ``nY nM nW nD``, then ``T`` and ``nH nM nS``.

    Whole numbers only, each part at most once and in that order; weeks may be combined with the
    other parts. Case and surrounding spaces do not matter (``" p2w "`` is ``P2W``).

    :raises ValueError: with what is wrong and an example of what is meant.
    """
    if not isinstance(text, str):
        raise ValueError(f"a duration is a text such as 'P3M' or 'P2W', not {text!r}")
    value = text.strip().upper()
    match = _DURATION.fullmatch(value)
    if match is None or not any(match.groupdict().values()) or (
        "T" in value and not any(match.group(name) for name in _TIME_PARTS)
    ):
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P3M, P2W, P10D, P1Y6M or PT36H"
                         f"{_hint(value)}")
    return Duration(**{name: int(number) for name, number in match.groupdict().items() if number})


def _hint(value: str) -> str:
    if "-" in value:
        return ": durations are not negative; subtract with add_months(day, -2) and the like"
    if not value.startswith("P"):
        return ": a duration starts with P"
    if "." in value or "," in value:
        return ": use whole numbers (PT36H, not P1.5D)"
    if "T" not in value and re.search(r"\d[HS]", value):
        return ": hours, minutes and seconds come after a T (PT36H)"
    return ": the parts go in the order Y, M, W, D, then T and H, M, S, each once"


def _duration(duration: Duration | str) -> Duration:
    return duration if isinstance(duration, Duration) else parse_duration(duration)


def _shift_months(moment: D, months: int) -> D:
    """Move ``months`` calendar months, keeping the day of the month or clamping it to the month end."""
    if not months:
        return moment
    year, month_index = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"{moment.isoformat()} plus {months} months is outside the calendar")
    month = month_index + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


def add(moment: D, duration: Duration | str) -> D:
    """``moment`` plus ``duration``: calendar months and years (clamped), then weeks and days, then time.

    A ``date`` gives a ``date`` and takes no time part. An aware ``datetime`` gives a ``datetime`` in
    the same zone: the date part moves its wall clock, the time part is elapsed time. A wall time
    that does not exist (the hour skipped in spring) moves on by that hour; an ambiguous one (the
    hour repeated in autumn) is the first, summer-time one.

    :raises ValueError: for a bad duration, a time part on a date, or a naive datetime.
    """
    step = _duration(duration)
    if isinstance(moment, datetime):
        zone = moment.tzinfo
        if zone is None or moment.utcoffset() is None:
            raise ValueError(f"{moment.isoformat()} has no time zone; add durations to aware datetimes only")
        if step.total_months or step.weeks or step.days:
            wall = _shift_months(moment, step.total_months) + timedelta(weeks=step.weeks, days=step.days)
            moment = wall.replace(fold=0).astimezone(UTC).astimezone(zone)
        if step.has_time:
            elapsed = timedelta(hours=step.hours, minutes=step.minutes, seconds=step.seconds)
            moment = (moment.astimezone(UTC) + elapsed).astimezone(zone)
        return moment
    if isinstance(moment, date):
        if step.has_time:
            raise ValueError(f"{duration!r} has a time part (hours, minutes or seconds); "
                             "a date moves in whole days: use D or W")
        return _shift_months(moment, step.total_months) + timedelta(weeks=step.weeks, days=step.days)
    raise TypeError(f"add() takes a date or datetime, not {type(moment).__name__}")


def add_days(moment: D, days: int) -> D:
    """``days`` calendar days later (earlier when negative); on a datetime the wall clock stays."""
    return add(moment, Duration(days=days))


def add_weeks(moment: D, weeks: int) -> D:
    """``weeks`` × 7 calendar days later: the same weekday. For deadlines the law counts in weeks,
    such as the PIP that must be decided within 10 weeks of the koppeling."""
    return add(moment, Duration(weeks=weeks))


def add_months(moment: D, months: int) -> D:
    """``months`` calendar months later (earlier when negative), on the same day of the month or,
    when that month is shorter, on its last day: 31 January + 1 = 28/29 February, 31 March - 1 =
    28/29 February."""
    return add(moment, Duration(months=months))


def add_years(moment: D, years: int) -> D:
    """``years`` calendar years later, on the same date; 29 February becomes 28 February in a
    common year (it never rolls over into March)."""
    return add(moment, Duration(years=years))


def term_end(start: date, years: int) -> date:
    """The last day of a term of ``years`` years whose first day is ``start``.

    Rule: the day before the same calendar date ``years`` later (start 2026-03-01, 3 years: ends
    2029-02-28; start 2029-03-01: ends 2032-02-29). When that date does not exist (start on
    29 February, end year not a leap year) the term ends on the last day of that February, i.e.
    28 February: start 2028-02-29, 3 years: ends 2031-02-28. This is the usual rule for periods
    counted in months or years (the end falls on the last day of the month when the matching day
    is missing) and it keeps the term as long as any other term of that many years that holds a
    29 February: 2028-02-29 to 2031-02-28 is 1096 days, like 2028-02-28 to 2031-02-27. Ending on
    2031-02-27 (the day before the clamped anniversary) would make it one day short. (So a term
    starting 2028-02-29 ends on the same day as one starting 2028-03-01.)

    The inburgeringstermijn (Wet inburgering 2021) is ``term_end(day after the PIP decision, 3)``.
    """
    if years < 1:
        raise ValueError(f"a term lasts at least one year, not {years}")
    anniversary = add_years(start, years)
    if anniversary.day != start.day:  # 29 February into a common year: that date is missing
        return anniversary
    return anniversary - timedelta(days=1)


def whole_months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end``: the largest ``n`` with ``add_months(start, n) <= end``
    (negative when ``end`` is earlier). Counted like :func:`add_months`, so the two agree at month ends:
    from 31 August 2027, 28 February 2029 is 18 months on (``add_months`` clamps to it).

    Used for the 18-month limit on a route switch (DOMAIN.md §2.4): the limit is reached on
    ``add_months(term start, 18)``.
    """
    if isinstance(start, datetime) or isinstance(end, datetime):
        raise TypeError("whole_months_between() counts calendar dates; pass local_date(moment) for a datetime")
    months = (end.year - start.year) * 12 + end.month - start.month
    while add_months(start, months) > end:  # at most once: the day of the month is not reached yet
        months -= 1
    return months


def days_between(start: date, end: date) -> int:
    """Calendar days from ``start`` to ``end`` (negative when ``end`` is earlier). Dates only: take
    :func:`local_date` of a moment first."""
    if isinstance(start, datetime) or isinstance(end, datetime):
        raise TypeError("days_between() counts calendar dates; pass local_date(moment) for a datetime")
    return (end - start).days


def local_date(moment: datetime) -> date:
    """The Dutch calendar date of an aware moment (23:30 UTC on 31 December is 1 January in winter)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; a Dutch date needs an aware datetime")
    return moment.astimezone(LOCAL_ZONE).date()


def local_moment(day: date, hour: int = 8, minute: int = 0) -> datetime:
    """``hour``:``minute`` Dutch time on ``day``, in UTC (08:00 is 07:00 UTC in winter, 06:00 in summer)."""
    return datetime.combine(day, time(hour, minute), LOCAL_ZONE).astimezone(UTC)


def after_day(day: date) -> datetime:
    """The first moment after ``day`` has ended on the Dutch calendar: 00:00 Europe/Amsterdam on the
    next day, in UTC (23:00 UTC in winter, 22:00 in summer).

    A deadline "uiterlijk op" ``day`` is met by anything done on that day, up to its last second; a
    timer that escalates a missed deadline is due from this moment, never on the morning of ``day``
    itself (a PIP decided on day 70 is on time). Awb art. 6:7/6:8 count periods in whole days the
    same way: the last day is part of the period.
    """
    if isinstance(day, datetime):
        raise TypeError("after_day() takes a calendar date; pass local_date(moment) for a datetime")
    return datetime.combine(day + timedelta(days=1), time(0, 0), LOCAL_ZONE).astimezone(UTC)


def deadline(start: datetime, duration: Duration | str) -> datetime:
    """The moment ``duration`` after ``start``, counted on the Dutch calendar, in UTC.

    A task ready at 10:00 on 20 March 2026 with ``P2W`` is due at 10:00 Dutch time on 3 April,
    although the clocks went forward in between (so 13 days and 23 hours later). Used for a user
    task's ``dueIn`` and for duration timers.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"{start.isoformat()} has no time zone; deadlines are counted from aware datetimes")
    return add(start.astimezone(LOCAL_ZONE), duration).astimezone(UTC)


# --- Dates as people type them -------------------------------------------------------------------------

#: The example every date field shows ("Bijvoorbeeld 27-03-2026"): day, month, year, in that order.
EXAMPLE_DAY = date(2026, 3, 27)
#: Longer input is no date (and is not looked at further).
MAX_DAY_INPUT = 40

#: Separators between day, month and year: hyphen, slash, dot, spaces, and the dashes a phone or word
#: processor puts in instead of a hyphen.
_SEPARATOR = r"[-/.\s\u2010\u2011\u2012\u2013\u2014\u2212]+"
_DAY_FIRST = re.compile(rf"(\d{{1,2}}){_SEPARATOR}(\d{{1,2}}){_SEPARATOR}(\d+)")
_YEAR_FIRST = re.compile(rf"(\d{{4}}){_SEPARATOR}(\d{{1,2}}){_SEPARATOR}(\d{{1,2}})")
#: Marks a right-to-left keyboard or a copy from a right-to-left page may add around digits.
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u200b\u2066\u2067\u2068\u2069\u202a\u202b\u202c\ufeff"))


class DayInputError(ValueError):
    """Typed text that is no date. ``problem`` says why, for a message that helps:

    * ``"format"``: not day, month and year (``dd-mm-jjjj``) nor ISO ``jjjj-mm-dd``;
    * ``"year"``: the year does not have four digits (``27-03-26``);
    * ``"impossible"``: the parts are numbers but no date (``31-02-2026``); ``shown`` is what was
      meant, written as ``dd-mm-jjjj``.
    """

    def __init__(self, problem: str, shown: str = ""):
        super().__init__(f"{problem}: {shown}" if shown else problem)
        self.problem = problem
        self.shown = shown


def _ascii_digits(text: str) -> str:
    """Any script's decimal digits (Arabic-Indic ٢٧, Persian ۲۷, full-width ２７) as ASCII digits."""
    return "".join(str(int(char)) if char.isdecimal() and not char.isascii() else char for char in text)


def parse_day(text: str) -> date:
    """A date as a person types it: ``d-m-jjjj`` or ``dd-mm-jjjj`` with ``-``, ``/``, ``.`` or spaces
    between the parts (``27-3-2026``, ``27/03/2026``, ``27.03.2026``, ``27 3 2026``), or ISO
    ``jjjj-mm-dd`` (``2026-03-27``: old links, scripts and tests). Spaces around it do not matter;
    digits of any script count.

    :raises DayInputError: with ``problem`` ``"format"``, ``"year"`` (not four digits) or
        ``"impossible"`` (no such day, such as 31 February); never anything else.
    """
    if not isinstance(text, str) or len(text) > MAX_DAY_INPUT:
        raise DayInputError("format")
    value = _ascii_digits(text.translate(_INVISIBLE)).strip()
    if match := _YEAR_FIRST.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.fullmatch(value):
        day, month = int(match.group(1)), int(match.group(2))
        if len(match.group(3)) != 4:
            raise DayInputError("year")
        year = int(match.group(3))
    else:
        raise DayInputError("format")
    try:
        return date(year, month, day)
    except ValueError:
        raise DayInputError("impossible", f"{day:02d}-{month:02d}-{year:04d}") from None


def day_text(day: date) -> str:
    """A date as it is typed into a date field: ``dd-mm-jjjj`` (27-03-2026)."""
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"
