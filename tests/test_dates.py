"""portal.dates: calendar arithmetic, checked against exact dates (no app, no database)."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from portal import dates
from portal.dates import (
    Duration,
    add,
    add_days,
    add_months,
    add_weeks,
    add_years,
    days_between,
    deadline,
    local_date,
    local_moment,
    parse_duration,
    term_end,
)

AMS = ZoneInfo("Europe/Amsterdam")


# -- parsing -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("P3M", Duration(months=3)),
    ("P2W", Duration(weeks=2)),
    ("P10D", Duration(days=10)),
    ("P1Y6M", Duration(years=1, months=6)),
    ("PT36H", Duration(hours=36)),
    ("P1DT12H30M15S", Duration(days=1, hours=12, minutes=30, seconds=15)),
    ("P1M2W3D", Duration(months=1, weeks=2, days=3)),
    ("P0D", Duration()),
    (" p28d ", Duration(days=28)),  # a setting typed in lower case with spaces
    # every duration the BPMN files and settings use today
    ("P1W", Duration(weeks=1)), ("P3W", Duration(weeks=3)), ("P4W", Duration(weeks=4)),
    ("P8W", Duration(weeks=8)), ("P7D", Duration(days=7)), ("P14D", Duration(days=14)),
])
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(("text", "hint"), [
    ("", "such as P3M"),
    ("P", "such as P3M"),
    ("PT", "such as P3M"),
    ("P1DT", "such as P3M"),
    ("3M", "starts with P"),
    ("P1.5M", "whole numbers"),
    ("P1,5D", "whole numbers"),
    ("-P1M", "not negative"),
    ("P36H", "after a T"),
    ("P1D1M", "order"),
    ("P1M1M", "order"),
    ("1 maand", "starts with P"),
])
def test_bad_durations_say_what_is_meant(text, hint):
    with pytest.raises(ValueError, match=hint) as info:
        parse_duration(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize("value", [None, 3, timedelta(days=1)])
def test_a_duration_is_text(value):
    with pytest.raises(ValueError, match="a duration is a text"):
        parse_duration(value)


def test_duration_is_frozen_and_whole():
    with pytest.raises(AttributeError):
        Duration(days=1).days = 2  # type: ignore[misc]
    with pytest.raises(TypeError, match="whole number"):
        Duration(days=1.5)  # type: ignore[arg-type]
    assert Duration(years=1, months=6).total_months == 18
    assert Duration(hours=1).has_time and not Duration(days=1).has_time


# -- months and years: clamp to the month end ------------------------------------------------------

@pytest.mark.parametrize(("start", "duration", "expected"), [
    (date(2026, 1, 31), "P1M", date(2026, 2, 28)),
    (date(2028, 1, 31), "P1M", date(2028, 2, 29)),
    (date(2026, 1, 31), "P2M", date(2026, 3, 31)),  # from the start date, not month by month
    (date(2026, 3, 31), "P1M", date(2026, 4, 30)),
    (date(2026, 1, 30), "P1M", date(2026, 2, 28)),
    (date(2026, 1, 28), "P1M", date(2026, 2, 28)),
    (date(2026, 1, 31), "P1M1D", date(2026, 3, 1)),  # months first, then days
    (date(2026, 11, 15), "P3M", date(2027, 2, 15)),  # across a year end
    (date(2026, 12, 31), "P1M", date(2027, 1, 31)),
    (date(2026, 12, 31), "P1D", date(2027, 1, 1)),
    (date(2026, 8, 31), "P1Y6M", date(2028, 2, 29)),
    (date(2027, 8, 31), "P1Y6M", date(2029, 2, 28)),
    (date(2028, 2, 29), "P1Y", date(2029, 2, 28)),  # never rolls into March
    (date(2028, 2, 29), "P4Y", date(2032, 2, 29)),
    (date(2028, 2, 28), "P1D", date(2028, 2, 29)),
    (date(2027, 2, 28), "P1D", date(2027, 3, 1)),
    (date(2028, 2, 28), "P1W", date(2028, 3, 6)),
    (date(2026, 1, 5), "P10W", date(2026, 3, 16)),
    (date(2026, 1, 5), "P0D", date(2026, 1, 5)),
])
def test_add_to_a_date(start, duration, expected):
    assert add(start, duration) == expected
    assert type(add(start, duration)) is date


def test_add_takes_a_duration_object_and_negative_parts():
    assert add(date(2026, 3, 31), Duration(months=-1)) == date(2026, 2, 28)
    assert add(date(2026, 1, 15), Duration(months=-1)) == date(2025, 12, 15)
    assert add(date(2029, 3, 1), Duration(days=-1)) == date(2029, 2, 28)


def test_a_date_takes_no_time_part():
    with pytest.raises(ValueError, match="time part"):
        add(date(2026, 1, 5), "PT36H")
    with pytest.raises(ValueError, match="time part"):
        add(date(2026, 1, 5), "PT24H")


def test_outside_the_calendar_is_an_error():
    with pytest.raises(ValueError, match="outside the calendar"):
        add(date(9999, 12, 1), "P1M")
    with pytest.raises(TypeError):
        add("2026-01-05", "P1D")  # type: ignore[type-var]


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2029, 2, 28), -2, date(2028, 12, 28)),
    (date(2026, 5, 31), -3, date(2026, 2, 28)),
    (date(2026, 1, 15), -13, date(2024, 12, 15)),
    (date(2026, 1, 15), 24, date(2028, 1, 15)),
])
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(("start", "years", "expected"), [
    (date(2028, 2, 29), 1, date(2029, 2, 28)),
    (date(2028, 2, 29), 3, date(2031, 2, 28)),
    (date(2028, 2, 29), 4, date(2032, 2, 29)),
    (date(2028, 2, 28), 1, date(2029, 2, 28)),
    (date(2027, 3, 1), 1, date(2028, 3, 1)),
    (date(2026, 12, 31), 3, date(2029, 12, 31)),
    (date(2028, 2, 29), -1, date(2027, 2, 28)),
])
def test_add_years_is_leap_day_safe(start, years, expected):
    assert add_years(start, years) == expected


def test_add_weeks_and_days():
    assert add_weeks(date(2026, 1, 1), 10) == date(2026, 3, 12)
    assert add_weeks(date(2026, 12, 24), 2) == date(2027, 1, 7)
    assert add_weeks(date(2028, 2, 22), 1) == date(2028, 2, 29)
    assert add_weeks(date(2026, 3, 12), -10) == date(2026, 1, 1)
    assert add_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert add_days(date(2028, 3, 1), -1) == date(2028, 2, 29)


# -- the term ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "years", "expected"), [
    (date(2026, 3, 1), 3, date(2029, 2, 28)),
    (date(2029, 3, 1), 3, date(2032, 2, 29)),
    (date(2026, 1, 1), 3, date(2028, 12, 31)),  # across year ends
    (date(2026, 6, 16), 3, date(2029, 6, 15)),
    (date(2028, 2, 28), 3, date(2031, 2, 27)),
    (date(2028, 2, 29), 3, date(2031, 2, 28)),  # the missing 29 February: last day of that month
    (date(2028, 2, 29), 4, date(2032, 2, 28)),  # 29 Feb 2032 exists: the day before it
    (date(2028, 3, 1), 3, date(2031, 2, 28)),
    (date(2026, 3, 1), 1, date(2027, 2, 28)),
])
def test_term_end(start, years, expected):
    assert term_end(start, years) == expected


def test_a_term_from_29_february_is_as_long_as_any_other():
    def length(start):
        return (term_end(start, 3) - start).days + 1

    # three years that hold 29 February 2028 are 1096 days, whatever the start
    assert {length(start) for start in (date(2027, 3, 1), date(2028, 2, 28), date(2028, 2, 29))} == {1096}
    assert length(date(2028, 3, 1)) == 1095


def test_term_end_needs_a_year():
    with pytest.raises(ValueError, match="at least one year"):
        term_end(date(2026, 1, 1), 0)


def test_days_between():
    assert days_between(date(2028, 2, 28), date(2028, 3, 1)) == 2
    assert days_between(date(2027, 2, 28), date(2027, 3, 1)) == 1
    assert days_between(date(2027, 1, 1), date(2026, 12, 31)) == -1
    with pytest.raises(TypeError, match="local_date"):
        days_between(datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 2))


# -- aware datetimes ---------------------------------------------------------------------------

def test_utc_datetimes_are_plain_arithmetic():
    start = datetime(2026, 1, 31, 9, 15, tzinfo=UTC)
    assert add(start, "P1M") == datetime(2026, 2, 28, 9, 15, tzinfo=UTC)
    assert add(start, "PT36H") == datetime(2026, 2, 1, 21, 15, tzinfo=UTC)
    assert add(start, "P1MT36H") == datetime(2026, 3, 1, 21, 15, tzinfo=UTC)  # months, then time
    assert add(datetime(2026, 3, 28, 12, tzinfo=UTC), "P2D") == datetime(2026, 3, 30, 12, tzinfo=UTC)


def test_date_part_keeps_the_wall_clock_across_dst():
    # Clocks go forward on Sunday 29 March 2026 (02:00 -> 03:00) and back on 25 October 2026.
    spring = datetime(2026, 3, 28, 10, tzinfo=AMS)
    assert add(spring, "P1D") == datetime(2026, 3, 29, 10, tzinfo=AMS)
    assert add(spring, "P1D").astimezone(UTC) - spring.astimezone(UTC) == timedelta(hours=23)
    autumn = datetime(2026, 10, 24, 10, tzinfo=AMS)
    assert add(autumn, "P1W") == datetime(2026, 10, 31, 10, tzinfo=AMS)
    assert add(autumn, "P1W").astimezone(UTC) - autumn.astimezone(UTC) == timedelta(days=7, hours=1)
    assert add(datetime(2026, 1, 31, 8, tzinfo=AMS), "P2M").utcoffset() == timedelta(hours=2)


def test_time_part_is_elapsed_time_across_dst():
    start = datetime(2026, 3, 28, 10, tzinfo=AMS)
    assert add(start, "PT24H") == datetime(2026, 3, 29, 11, tzinfo=AMS)
    assert add(start, "PT24H").astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
    assert add(datetime(2026, 10, 24, 10, tzinfo=AMS), "PT36H") == datetime(2026, 10, 25, 21, tzinfo=AMS)


def test_wall_times_that_do_not_exist_move_on_by_the_skipped_hour():
    result = add(datetime(2026, 3, 28, 2, 30, tzinfo=AMS), "P1D")
    assert result == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert (result.hour, result.minute) == (3, 30)


def test_ambiguous_wall_times_are_the_summer_time_one():
    result = add(datetime(2026, 10, 24, 2, 30, tzinfo=AMS), "P1D")
    assert result.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_fixed_offsets_are_kept():
    plus_two = timezone(timedelta(hours=2))
    assert add(datetime(2026, 1, 31, 23, tzinfo=plus_two), "P1M") == datetime(2026, 2, 28, 23, tzinfo=plus_two)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="no time zone"):
        add(datetime(2026, 1, 5, 9), "P1D")
    with pytest.raises(ValueError, match="no time zone"):
        deadline(datetime(2026, 1, 5, 9), "P1D")
    with pytest.raises(ValueError, match="no time zone"):
        local_date(datetime(2026, 1, 5, 9))


# -- the Dutch calendar ------------------------------------------------------------------------

def test_local_zone_is_amsterdam():
    assert dates.LOCAL_ZONE == AMS


@pytest.mark.parametrize(("moment", "expected"), [
    (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2027, 1, 1)),
    (datetime(2026, 12, 31, 22, 59, tzinfo=UTC), date(2026, 12, 31)),
    (datetime(2026, 6, 30, 22, 0, tzinfo=UTC), date(2026, 7, 1)),
    (datetime(2026, 6, 30, 21, 59, tzinfo=UTC), date(2026, 6, 30)),
])
def test_local_date(moment, expected):
    assert local_date(moment) == expected


def test_local_moment():
    assert local_moment(date(2026, 1, 5)) == datetime(2026, 1, 5, 7, tzinfo=UTC)
    assert local_moment(date(2026, 7, 6)) == datetime(2026, 7, 6, 6, tzinfo=UTC)
    assert local_moment(date(2026, 3, 29), 9, 30) == datetime(2026, 3, 29, 7, 30, tzinfo=UTC)
    assert local_moment(date(2026, 1, 5)).tzinfo is UTC


@pytest.mark.parametrize(("start", "duration", "expected"), [
    (datetime(2026, 1, 5, 9, tzinfo=UTC), "P2W", datetime(2026, 1, 19, 9, tzinfo=UTC)),
    (datetime(2026, 1, 31, 9, tzinfo=UTC), "P1M", datetime(2026, 2, 28, 9, tzinfo=UTC)),
    (datetime(2028, 1, 31, 9, tzinfo=UTC), "P1M", datetime(2028, 2, 29, 9, tzinfo=UTC)),
    (datetime(2026, 12, 31, 9, tzinfo=UTC), "P10D", datetime(2027, 1, 10, 9, tzinfo=UTC)),
    # 10:00 CET, two weeks later 10:00 CEST: 13 days 23 hours
    (datetime(2026, 3, 20, 9, tzinfo=UTC), "P2W", datetime(2026, 4, 3, 8, tzinfo=UTC)),
    (datetime(2026, 10, 20, 8, tzinfo=UTC), "P1W", datetime(2026, 10, 27, 9, tzinfo=UTC)),
    # 00:30 on 31 January in the Netherlands (23:30 UTC on the 30th): a month later is 28 February 00:30
    (datetime(2026, 1, 30, 23, 30, tzinfo=UTC), "P1M", datetime(2026, 2, 27, 23, 30, tzinfo=UTC)),
    # elapsed hours stay elapsed hours
    (datetime(2026, 3, 28, 9, tzinfo=UTC), "PT36H", datetime(2026, 3, 29, 21, tzinfo=UTC)),
])
def test_deadline_counts_on_the_dutch_calendar_and_answers_in_utc(start, duration, expected):
    result = deadline(start, duration)
    assert result == expected
    assert result.tzinfo is UTC
