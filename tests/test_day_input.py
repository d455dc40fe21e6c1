"""Dates as people type them (portal.dates.parse_day) and as readers see them (portal.i18n.format_day,
format_moment: the Jinja filters dateformat and datetimeformat)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string
from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.dates import DayInputError, day_text, parse_day
from portal.i18n import format_day, format_moment

PROPERTY = settings(max_examples=300, deadline=None, database=None)


@pytest.mark.parametrize("typed", [
    "27-03-2026", "27-3-2026", "27/03/2026", "27.03.2026", "27 03 2026",
    " 27 - 3 - 2026 ", "27  3  2026", "2026-03-27", "2026-3-27", "27–03–2026",  # an en dash from a word processor
    "٢٧-٠٣-٢٠٢٦", "۲۷/۰۳/۲۰۲۶", "\u200f27\u200f/03\u200f/2026",  # Arabic-Indic and Persian digits, RTL marks
])
def test_day_month_year_in_any_usual_writing_is_read(typed):
    assert parse_day(typed) == date(2026, 3, 27)


@pytest.mark.parametrize(("typed", "problem", "shown"), [
    ("31-02-2026", "impossible", "31-02-2026"),
    ("29/2/2027", "impossible", "29-02-2027"),
    ("0-1-2026", "impossible", "00-01-2026"),
    ("12-13-2026", "impossible", "12-13-2026"),  # month 13: no American order either
    ("2026-02-30", "impossible", "30-02-2026"),
    ("1-1-0000", "impossible", "01-01-0000"),
    ("27-03-26", "year", ""),
    ("27-3-202", "year", ""),
    ("27-03-02026", "year", ""),
    ("", "format", ""), ("   ", "format", ""), ("morgen", "format", ""), ("27032026", "format", ""),
    ("27-03", "format", ""), ("03/27/2026 12:00", "format", ""), ("2026-03-27T10:00", "format", ""),
    ("27-03-2026-1", "format", ""), ("1" * 5000, "format", ""), ("27\x00-03-2026", "format", ""),
    ("²⁷-03-2026", "format", ""),  # superscripts are no digits to type a date with
])
def test_what_is_no_date_says_why(typed, problem, shown):
    with pytest.raises(DayInputError) as raised:
        parse_day(typed)
    assert (raised.value.problem, raised.value.shown) == (problem, shown)


def test_leap_days_exist_in_leap_years_only():
    assert parse_day("29-02-2028") == date(2028, 2, 29)
    assert parse_day("29-02-2000") == date(2000, 2, 29)
    with pytest.raises(DayInputError):
        parse_day("29-02-2100")


@PROPERTY
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(["-", "/", ".", " "]), st.booleans())
def test_every_date_written_as_typed_reads_back(day, separator, padded):
    assert parse_day(day_text(day)) == day
    assert parse_day(day.isoformat()) == day
    text = f"{day.day:02d}{separator}{day.month:02d}" if padded else f"{day.day}{separator}{day.month}"
    assert parse_day(f"{text}{separator}{day.year}") == day


@PROPERTY
@given(st.text(max_size=60))
def test_hostile_text_is_a_date_or_a_reason_never_a_crash(text):
    try:
        result = parse_day(text)
    except DayInputError as error:
        assert error.problem in ("format", "year", "impossible")
    else:
        assert isinstance(result, date)


@PROPERTY
@given(st.from_type(object))
def test_anything_but_text_is_refused_as_no_date(value):
    if isinstance(value, str):
        return
    with pytest.raises(DayInputError):
        parse_day(value)


# --- shown to a reader ------------------------------------------------------------------------------

@pytest.mark.parametrize(("locale", "day", "moment"), [
    ("nl", "27-03-2026", "27-03-2026 15:05"),
    ("en", "27 Mar 2026", "27 Mar 2026, 15:05"),
    ("tr", "27 Mar 2026", "27 Mar 2026 15:05"),
    ("uk", "27 бер. 2026\u202fр.", "27 бер. 2026\u202fр., 15:05"),
    ("ar", "27\u200f/03\u200f/2026", "27\u200f/03\u200f/2026، 3:05 م"),  # day first, the locale's own clock
    ("ti", "መጋ 27, 2026", "መጋ 27, 2026 3:05 ድ.ቀ."),  # the month named: no order to misread
])
def test_dates_and_moments_in_the_readers_language(app, locale, day, moment):
    at = datetime(2026, 3, 27, 14, 5, 59, tzinfo=UTC)  # 15:05 in Amsterdam (winter time); seconds never shown
    with app.test_request_context("/"), force_locale(locale):
        assert format_day(date(2026, 3, 27)) == day
        assert format_day("2026-03-27") == day  # an ISO date of task data
        assert format_moment(at) == moment
        assert render_template_string("{{ d|dateformat }}|{{ m|datetimeformat }}", d=date(2026, 3, 27), m=at) \
            == f"{day}|{moment}"


def test_the_date_of_a_moment_is_the_dutch_date(app):
    late = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)  # 00:30 on 1 July in Amsterdam (summer time)
    with app.test_request_context("/"), force_locale("nl"):
        assert format_day(late) == "01-07-2026"
        assert format_moment(late) == "01-07-2026 00:30"
        assert format_moment(datetime(2026, 6, 30, 22, 30)) == "01-07-2026 00:30"  # naive: UTC, as stored
        assert format_day("2026-06-30T22:30:00+00:00") == "01-07-2026"  # an ISO moment of an export


def test_nothing_is_shown_for_no_date(app):
    with app.test_request_context("/"), force_locale("nl"):
        assert format_day(None) == format_day("") == format_moment(None) == ""


def test_a_long_date_writes_the_month_out(app):
    with app.test_request_context("/"), force_locale("nl"):
        assert format_day(date(2026, 3, 27), "long") == "27 maart 2026"
        assert format_day(date(2026, 3, 27), "medium") == "27-03-2026"
