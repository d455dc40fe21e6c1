"""The shared input rules of portal.forms.bounds, applied to every portal form."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, StringField, TextAreaField

from portal.forms import PortalForm, build_task_form
from portal.forms.bounds import MAX_PAGE, MAX_RECORD_ID, draft_problems, page_number, record_id
from tests.forms.formdata import one_field_form


@pytest.fixture
def request_context(app):
    with app.test_request_context("/", method="POST"), force_locale("nl"):
        yield


class HandForm(PortalForm):
    class Meta:
        csrf = False

    name = StringField("Naam")
    note = TextAreaField("Notitie")
    ok = BooleanField("Akkoord")


@pytest.mark.parametrize(("value", "page"), [(None, 1), ("", 1), ("3", 3), ("-5", 1), ("0", 1), ("abc", 1),
                                             ("1e3", 1), ("٣", 1), ("99999999999999999999", MAX_PAGE)])
def test_page_numbers_are_clamped(value, page):
    assert page_number(value) == page


@pytest.mark.parametrize(("name", "note", "valid"), [
    ("Amina", "twee\r\nregels\tmet tab", True),
    ("A\x00mina", "", False),
    ("Amina\t", "", False),  # a single-line field takes no tab
    ("Amina", "een \x1b escape", False),
    ("\u202eanimA", "مرحبا \u200f", True),  # bidi marks are text, not control characters
])
def test_control_characters_are_refused_in_every_text_field(request_context, name, note, valid):
    form = HandForm(formdata=MultiDict({"name": name, "note": note}))
    assert form.validate() is valid
    if not valid:
        assert "stuurtekens" in " ".join(form.name.errors + form.note.errors)


@pytest.mark.parametrize(("sent", "checked", "valid"), [
    ("y", True, True), ("on", True, True), ("true", True, True), ("1", True, True),
    ("False", False, True), ("false", False, True), ("0", False, True), ("off", False, True), ("", False, True),
    ("maybe", False, False),
])
def test_only_what_a_browser_sends_ticks_a_checkbox(request_context, sent, checked, valid):
    form = HandForm(formdata=MultiDict({"ok": sent}))
    assert form.validate() is valid and form.ok.data is checked


def test_a_schema_checkbox_reads_false_as_unticked(request_context):
    spec = one_field_form({"type": "boolean", "title": "Tolk"})
    form = build_task_form(spec)(formdata=MultiDict({"f": "False"}), meta={"csrf": False})
    assert form.validate() and form.f.data is False


def test_a_date_outside_its_window_is_refused_with_the_range(request_context):
    spec = one_field_form({"type": "string", "format": "date", "title": "Datum", "x-notAfter": "P0D"})
    for value in ("0001-01-01", "9999-12-31"):
        form = build_task_form(spec)(formdata=MultiDict({"f": value}), meta={"csrf": False})
        assert not form.validate()
        assert form.f.errors[0].startswith("Vul een datum in van 01-01-1900 tot en met "), form.f.errors


def test_too_many_rows_are_an_error_not_cut_off(request_context):
    spec = one_field_form({"type": "array", "title": "Doelen", "maxItems": 3, "items": {
        "type": "object", "properties": {"doel": {"type": "string", "title": "Doel"}}}})
    rows = MultiDict([(f"f-{n}-doel", "een doel") for n in range(3000)])
    form = build_task_form(spec)(formdata=rows, meta={"csrf": False})
    assert not form.validate()
    assert "Gebruik hoogstens 3 rijen." in form.f.errors
    assert len(form.f.entries) == 4  # read no further than one too many


def test_nan_and_infinity_are_no_numbers(request_context):
    spec = one_field_form({"type": "number", "title": "Bedrag"})
    for value in ("nan", "inf", "-inf"):
        form = build_task_form(spec)(formdata=MultiDict({"f": value}), meta={"csrf": False})
        assert not form.validate(), value


def test_a_draft_is_checked_for_its_bounds_only(request_context):
    spec = one_field_form({"type": "string", "title": "Naam", "maxLength": 5}, required=True)
    form_class = build_task_form(spec)
    blank = form_class(formdata=MultiDict({"f": ""}), meta={"csrf": False})
    assert not blank.validate() and not draft_problems(blank)  # a required field left open is fine in a draft
    for value in ("toolong", "a\x00"):
        form = form_class(formdata=MultiDict({"f": value}), meta={"csrf": False})
        assert draft_problems(form) and len(form.f.errors) == 1


@pytest.mark.parametrize("value, number", [
    ("42", 42), (" 7 ", 7), (str(MAX_RECORD_ID), MAX_RECORD_ID), (str(MAX_RECORD_ID + 1), None), ("0", None),
    ("-3", None), ("²", None), ("٣", None), ("1e3", None), ("", None), (None, None), ("9" * 40, None),
])
def test_record_ids_from_clients_are_whole_numbers_in_range(value, number):
    assert record_id(value) == number
