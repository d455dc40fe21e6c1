"""Each field kind on its own: build → render → submit → read back, its display value and its sample."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from portal.engine.forms import FIELD_KINDS
from portal.forms import KINDS, Answer, build_task_form, display_value, form_to_data, sample_value
from tests.forms.formdata import formdata, one_field_form, render

CHOICES = {"type": "string", "title": "Keuze", "oneOf": [{"const": "a", "title": "Appel"},
                                                         {"const": "b", "title": "Boterham"}]}
SECTION = {"type": "object", "title": "Gesprek", "properties": {
    "datum": {"type": "string", "format": "date", "title": "Datum"},
    "tolk": {"type": "boolean", "title": "Met tolk"},
    "taal": CHOICES},
    "required": ["datum"]}
ROWS = {"type": "array", "title": "Acties", "items": {"type": "object", "properties": {
    "wat": {"type": "string", "title": "Wat"},
    "wie": CHOICES,
    "uren": {"type": "integer", "title": "Uren", "minimum": 1}},
    "required": ["wat", "wie"]}}

#: kind, its schema, a value as stored in task data, and a fragment the rendered form shows it by.
ROUND_TRIPS = [
    ("text", {"type": "string", "title": "Naam", "maxLength": 20}, "Ada Lovelace", 'value="Ada Lovelace"'),
    ("textarea", {"type": "string", "title": "Toelichting", "x-widget": "textarea"}, "Twee\r\nregels",
     "Twee\r\nregels</textarea>"),
    ("date", {"type": "string", "format": "date", "title": "Datum"}, "2026-03-10", 'value="2026-03-10"'),
    ("integer", {"type": "integer", "title": "Uren", "minimum": 0, "maximum": 40}, 12, 'value="12"'),
    ("number", {"type": "number", "title": "Bedrag"}, 12.5, 'value="12.5"'),
    ("boolean", {"type": "boolean", "title": "Akkoord"}, True, "checked"),
    ("choice", CHOICES, "b", '<option selected value="b">Boterham</option>'),
    ("choice", {**CHOICES, "x-widget": "radio"}, "b", 'value="b" checked'),
    ("multichoice", {"type": "array", "title": "Wat", "items": CHOICES, "uniqueItems": True}, ["a", "b"],
     'value="b" checked'),
    ("section", SECTION, {"datum": "2026-01-08", "tolk": True, "taal": "a"}, 'name="f-datum"'),
    ("rows", ROWS, [{"wat": "Taalles", "wie": "a", "uren": 4}], 'name="f-0-wat"'),
]


@pytest.fixture
def request_context(app):
    with app.test_request_context("/", method="POST"), force_locale("nl"):
        yield


def submit(spec, data: MultiDict):
    form = build_task_form(spec)(formdata=data, meta={"csrf": False})
    return form, form.validate()


def test_every_kind_of_the_engine_has_an_object():
    assert set(KINDS) == set(FIELD_KINDS)
    for kind in KINDS.values():
        for method in ("field", "read", "display", "sample"):
            assert callable(getattr(kind, method))


def test_every_kind_has_a_round_trip_below():
    assert {kind for kind, *_ in ROUND_TRIPS} == set(KINDS)


@pytest.mark.parametrize(("kind", "schema", "value", "shown"), ROUND_TRIPS,
                         ids=[f"{kind}-{n}" for n, (kind, *_) in enumerate(ROUND_TRIPS)])
def test_round_trip(request_context, kind, schema, value, shown):
    spec = one_field_form(schema, required=True)
    assert spec.fields[0].kind == kind
    posted = formdata({"f": value})
    empty = render(build_task_form(spec)(formdata=None, meta={"csrf": False}))
    for name in posted:  # the page has an input for everything a browser will post
        assert f'name="{name}"' in empty

    form, valid = submit(spec, posted)
    assert valid, form.errors
    data = form_to_data(form, spec)
    assert data == {"f": value}
    assert spec.violations(data) == []
    assert shown in render(form)  # a form sent back (e.g. another field wrong) keeps what was typed


@pytest.mark.parametrize(("kind", "schema", "value", "shown"), ROUND_TRIPS,
                         ids=[f"{kind}-{n}" for n, (kind, *_) in enumerate(ROUND_TRIPS)])
def test_an_optional_field_left_empty_is_left_out(request_context, kind, schema, value, shown):
    spec = one_field_form(schema)
    form, valid = submit(spec, MultiDict())
    assert valid, form.errors
    assert form_to_data(form, spec) == ({"f": False} if kind == "boolean" else {})  # unticked is an answer


@pytest.mark.parametrize(("kind", "message"), [
    ("text", "Vul naam in."), ("date", "Vul datum in."), ("integer", "Vul uren in."),
    ("choice", "Kies keuze."), ("multichoice", "Kies wat."),
])
def test_a_required_field_left_empty_names_it(request_context, kind, message):
    """GOV.UK: the message names the field, "Vul … in." for what is typed, "Kies …." for what is chosen."""
    schema = next(schema for k, schema, *_ in ROUND_TRIPS if k == kind)
    form, valid = submit(one_field_form(schema, required=True), MultiDict({"f": ""}))
    assert not valid and form.errors == {"f": [message]}


@pytest.mark.parametrize(("title", "choose", "message"), [
    ("Waarom is dit niet besproken?", False, "Vul een antwoord in."),
    ("Welke afspraken zijn er met de werkgever gemaakt", False, "Vul een antwoord in."),
    ("Hoe gaat het met de taal?", True, "Kies een antwoord."),
])
def test_a_question_is_answered_not_filled_in(request_context, title, choose, message):
    schema = {**CHOICES, "title": title} if choose else {"type": "string", "title": title}
    form, valid = submit(one_field_form(schema, required=True), MultiDict({"f": ""}))
    assert not valid and form.errors == {"f": [message]}


def test_a_label_keeps_its_capitals_where_they_are_an_abbreviation():
    from portal.forms.kinds import in_sentence

    assert [in_sentence(label) for label in ("Oorzaak", "V-nummer", "COA-locatie", "Azc", "DigiD", "")] == [
        "oorzaak", "V-nummer", "COA-locatie", "azc", "DigiD", ""]


@pytest.mark.parametrize(("schema", "typed", "message"), [
    ({"type": "string", "title": "Naam", "maxLength": 3}, "Ada L", "Gebruik maximaal 3 tekens."),
    ({"type": "string", "title": "Naam", "minLength": 10}, "Ada", "Schrijf minstens 10 tekens."),
    ({"type": "string", "title": "Postcode", "pattern": "^[0-9]{4} ?[A-Z]{2}$", "examples": ["3511 AB"]}, "35",
     "Dit heeft niet de goede vorm. Bijvoorbeeld: 3511 AB"),
    ({"type": "integer", "title": "Uren", "minimum": 1, "maximum": 40}, "41", "Vul een getal in tussen 1 en 40."),
    ({"type": "boolean", "title": "Akkoord", "const": True}, "", "Vink dit aan om verder te gaan."),
    (CHOICES, "c", "Kies een van de mogelijkheden."),  # WTForms' default, in the portal's words
])
def test_the_kinds_check_the_schema_rules(request_context, schema, typed, message):
    form, valid = submit(one_field_form(schema), MultiDict({"f": typed} if typed else {}))
    assert not valid and form.errors["f"] == [message]


def test_rows_read_every_posted_row(request_context):
    spec = one_field_form(ROWS, required=True)
    rows = [{"wat": "Taalles", "wie": "a"}, {"wat": "Stage", "wie": "b", "uren": 8}]
    form, valid = submit(spec, formdata({"f": rows}))
    assert valid and form_to_data(form, spec) == {"f": rows}


def test_a_row_left_blank_is_no_row(request_context):
    spec = one_field_form(ROWS)
    form, valid = submit(spec, MultiDict({"f-0-wat": "", "f-0-wie": "", "f-0-uren": ""}))
    assert valid, form.errors
    assert form_to_data(form, spec) == {}
    form, valid = submit(spec, MultiDict({"f-0-wat": "Taalles", "f-0-wie": ""}))  # half a row is checked
    assert not valid and form.errors == {"f": [{"wie": ["Kies keuze."]}]}


def test_the_required_message_can_be_put_in_other_words(request_context):
    from wtforms import Form

    spec = one_field_form(CHOICES, required=True).fields[0]
    form_class = type("F", (Form,), {"f": KINDS["choice"].field(spec, required_message="Kies een antwoord.",
                                                                label="Wat eet je?", description="Eén keuze.")})
    form = form_class(MultiDict())
    assert not form.validate() and form.errors == {"f": ["Kies een antwoord."]}
    assert form.f.label.text == "Wat eet je?" and form.f.description == "Eén keuze."


def spec_of(schema):
    return one_field_form(schema).fields[0]


@pytest.mark.parametrize(("schema", "value", "shown"), [
    ({"type": "string", "title": "Naam"}, "Ada", "Ada"),
    ({"type": "integer", "title": "Uren"}, 12, 12),
    ({"type": "number", "title": "Bedrag"}, 12.5, 12.5),
    ({"type": "boolean", "title": "Akkoord"}, True, "Ja"),
    ({"type": "boolean", "title": "Akkoord"}, False, "Nee"),
    ({"type": "string", "format": "date", "title": "Datum"}, "2026-03-10", "10-03-2026"),
    (CHOICES, "b", "Boterham"),
    (CHOICES, "onbekend", "onbekend"),  # a code the form no longer offers is shown as stored
    ({"type": "array", "title": "Wat", "items": CHOICES}, ["b", "a"], "Boterham, Appel"),
    (SECTION, {"datum": "2026-01-08", "tolk": False, "taal": ""},
     [Answer("Datum", "08-01-2026"), Answer("Met tolk", "Nee")]),
    (ROWS, [{"wat": "Taalles", "wie": "a"}, {"wat": "Stage", "wie": "b", "uren": 8}],
     [[Answer("Wat", "Taalles"), Answer("Keuze", "Appel")],
      [Answer("Wat", "Stage"), Answer("Keuze", "Boterham"), Answer("Uren", 8)]]),
])
def test_display_value(request_context, schema, value, shown):
    assert display_value(spec_of(schema), value) == shown


def test_display_value_follows_the_locale(app):
    with app.test_request_context("/"), force_locale("en"):
        assert display_value(spec_of({"type": "boolean", "title": "Akkoord"}), True) == "Yes"
        assert display_value(spec_of({"type": "string", "format": "date", "title": "Datum"}),
                             "2026-03-10") == "10 Mar 2026"


@pytest.mark.parametrize(("schema", "sample"), [
    ({"type": "string", "title": "Naam", "maxLength": 5}, "Bespr"),
    ({"type": "string", "title": "Naam", "examples": ["Ada"]}, "Ada"),
    ({"type": "string", "title": "Naam", "minLength": 40, "maxLength": 45},
     "Besproken in het gesprek. Besproken in het ge"),
    ({"type": "string", "format": "date", "title": "Datum"}, "2026-01-08"),
    ({"type": "integer", "title": "Uren", "minimum": 6}, 6),
    ({"type": "number", "title": "Bedrag"}, 1.0),
    ({"type": "boolean", "title": "Akkoord"}, False),
    ({"type": "boolean", "title": "Akkoord", "const": True}, True),
    (CHOICES, "a"),
    ({"type": "array", "title": "Wat", "items": CHOICES}, ["a"]),
    (SECTION, {"datum": "2026-01-08"}),
    (ROWS, [{"wat": "Besproken in het gesprek.", "wie": "a"}]),
])
def test_sample_is_valid(schema, sample):
    spec = one_field_form(schema, required=True)
    value = sample_value(spec.fields[0], date(2026, 1, 8))
    assert value == sample
    assert spec.violations({"f": value}) == []


def test_a_sample_date_is_today_unless_told():
    assert sample_value(spec_of({"type": "string", "format": "date"})) == date.today().isoformat()
