"""Bounds a form schema gets when it sets none, and date windows relative to today."""

from datetime import date

import pytest

from portal.engine.forms import DATE_FLOOR, FormSchemaError, form_spec_from_schema, shift

SCHEMA = {"type": "object", "properties": {
    "kort": {"type": "string", "title": "Kort"},
    "lang": {"type": "string", "title": "Lang", "x-widget": "textarea"},
    "eigen": {"type": "string", "title": "Eigen", "maxLength": 30},
    "aantal": {"type": "integer", "title": "Aantal"},
    "keuzes": {"type": "array", "title": "Keuzes", "items": {"type": "string", "enum": ["a", "b"]}},
    "rijen": {"type": "array", "title": "Rijen", "items": {"type": "object", "properties": {
        "wat": {"type": "string", "title": "Wat"}}}},
    "gesprek": {"type": "string", "format": "date", "title": "Gesprek", "x-notBefore": "-P2Y", "x-notAfter": "P7D"},
}}


def test_fields_without_bounds_get_the_defaults_in_the_spec_and_the_schema():
    spec = form_spec_from_schema("t", SCHEMA)
    fields = {f.name: f for f in spec.fields}
    assert (fields["kort"].max_length, fields["lang"].max_length, fields["eigen"].max_length) == (200, 5000, 30)
    assert (fields["aantal"].minimum, fields["aantal"].maximum) == (-1_000_000, 1_000_000)
    rows = fields["rijen"]
    assert (fields["keuzes"].max_items, rows.max_items, rows.children[0].max_length) == (2, 50, 200)
    assert "maxLength" not in SCHEMA["properties"]["kort"]  # the designer's schema is left as it is
    rules = {v.rule for v in spec.violations({"kort": "x" * 201, "aantal": 10**7, "keuzes": ["a", "a"],
                                              "rijen": [{"wat": "w"}] * 51})}
    assert rules == {"maxLength", "maximum", "uniqueItems", "maxItems"}


def test_a_date_window_is_relative_to_today_within_the_plausible_one():
    gesprek = {f.name: f for f in form_spec_from_schema("t", SCHEMA).fields}["gesprek"]
    assert gesprek.date_window(date(2026, 12, 3)) == (date(2024, 12, 3), date(2026, 12, 10))
    plain = form_spec_from_schema("t", {"type": "object", "properties": {
        "d": {"type": "string", "format": "date", "title": "D"}}}).fields[0]
    assert plain.date_window(date(2026, 12, 3)) == (DATE_FLOOR, date(2036, 12, 3))


@pytest.mark.parametrize(("offset", "expected"), [("P0D", date(2026, 1, 31)), ("-P1M", date(2025, 12, 31)),
                                                  ("P1M", date(2026, 2, 28)), ("-P2W1D", date(2026, 1, 16))])
def test_shift_counts_calendar_months(offset, expected):
    assert shift(date(2026, 1, 31), offset) == expected


def test_a_bad_window_is_refused():
    with pytest.raises(FormSchemaError, match="x-notAfter"):
        form_spec_from_schema("t", {"type": "object", "properties": {
            "d": {"type": "string", "format": "date", "title": "D", "x-notAfter": "tomorrow"}}})
