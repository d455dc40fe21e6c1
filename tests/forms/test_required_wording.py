"""Messages for a missing answer read as sentences: a yes/no question, a label that states something, a
date that is stored as ISO but typed (and prefilled) as dd-mm-jjjj."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from portal.forms import build_task_form
from portal.forms.kinds import required_message
from portal.forms.rows import data_formdata
from tests.forms.formdata import RENDER, one_field_form


@pytest.fixture
def request_context(app):
    with app.test_request_context("/", method="POST"), force_locale("nl"):
        yield


@pytest.mark.parametrize(("label", "choose", "yes_no", "message"), [
    ("Leefgebied", True, False, "Kies leefgebied."),
    ("DigiD", True, False, "Kies DigiD."),
    ("Tolk ingezet", True, False, "Kies een antwoord bij ‘Tolk ingezet’."),
    ("Hulp gewenst", False, False, "Vul een antwoord in bij ‘Hulp gewenst’."),
    ("Is het niet verschijnen verwijtbaar?", True, True, "Kies ja of nee."),
    ("Schulden", True, True, "Kies ja of nee."),
    ("Lijkt B1 haalbaar?", True, False, "Kies een antwoord."),
    ("Oorzaak", False, False, "Vul oorzaak in."),
])
def test_a_missing_answer_is_asked_for_in_a_sentence(request_context, label, choose, yes_no, message):
    assert required_message(label, choose=choose, yes_no=yes_no) == message


def test_a_required_yes_no_choice_asks_for_yes_or_no(request_context):
    spec = one_field_form({"type": "string", "title": "Verwijtbaar", "x-widget": "radio",
                           "oneOf": [{"const": "nee", "title": "Nee"}, {"const": "ja", "title": "Ja"}]}, required=True)
    form = build_task_form(spec)(formdata=MultiDict({"f": ""}), meta={"csrf": False})
    assert not form.validate() and form.f.errors == ["Kies ja of nee."]


def test_a_stored_date_comes_back_into_its_field_as_typed(request_context):
    spec = one_field_form({"type": "string", "format": "date", "title": "Datum"})
    formdata = data_formdata(spec.fields, {"f": "2026-03-10"})
    assert formdata == MultiDict([("f", "10-03-2026")])
    form = build_task_form(spec)(formdata=formdata, meta={"csrf": False})
    assert form.validate() and form.f.data.isoformat() == "2026-03-10"


def test_a_read_only_date_is_shown_formatted_and_posted_back_as_stored(request_context):
    spec = one_field_form({"type": "string", "format": "date", "title": "Datum", "readOnly": True})
    formdata = data_formdata(spec.fields, {"f": "2026-03-10"})
    assert formdata == MultiDict([("f", "2026-03-10")])
    form = build_task_form(spec)(formdata=formdata, meta={"csrf": False})
    page = render_template_string(RENDER, form=form)
    assert '<p class="portal-readonly__value">10-03-2026</p>' in page and 'value="2026-03-10"' in page


def test_a_statement_is_told_by_its_dutch_label_in_any_language(app):
    spec = one_field_form({"type": "string", "title": "Tolk ingezet", "x-widget": "radio",
                           "oneOf": [{"const": "geen", "title": "Geen tolk"},
                                     {"const": "telefonisch", "title": "Telefonische tolk"}]}, required=True)
    for locale, message in (("nl", "Kies een antwoord bij ‘Tolk ingezet’."),
                            ("en", "Choose an answer for ‘Interpreter used’.")):
        with app.test_request_context("/", method="POST"), force_locale(locale):
            form = build_task_form(spec)(formdata=MultiDict({"f": ""}), meta={"csrf": False})
            assert not form.validate() and form.f.errors == [message]
