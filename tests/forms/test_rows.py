"""Repeating groups: add and remove a row without JavaScript, blank rows, minItems/maxItems, readOnly values."""

import re

import pytest
from werkzeug.datastructures import MultiDict

from portal.engine import form_spec_from_schema
from portal.engine.forms import FormSchemaError
from portal.forms.builder import build_task_form, form_to_data
from portal.forms.rows import apply_row_action, data_formdata
from tests.forms.formdata import render

GOAL = {"type": "object", "title": "Doel", "required": ["doel", "wie"],
        "properties": {"doel": {"type": "string", "title": "Doel"},
                       "wie": {"type": "string", "title": "Wie", "oneOf": [{"const": "ik", "title": "Ik"},
                                                                          {"const": "zij", "title": "Zij"}]}}}


def spec(min_items=1, max_items=3, **extra):
    rows = {"type": "array", "title": "Doelen", "items": GOAL, "maxItems": max_items, **extra}
    if min_items is not None:
        rows["minItems"] = min_items
    return form_spec_from_schema("t", {"type": "object", "properties": {"doelen": rows}, "required": ["doelen"]})


def bound(app, form_spec, data: dict):
    """The generated form bound to ``data`` as posted (no CSRF: only rows are under test)."""
    return build_task_form(form_spec)(formdata=MultiDict(data), meta={"csrf": False})


def typed(rows: int) -> dict:
    return {f"doelen-{i}-{name}": f"{value}{i}" if name == "doel" else value
            for i in range(rows) for name, value in (("doel", "Doel tekst "), ("wie", "ik"))}


def test_add_keeps_everything_typed_and_adds_one_blank_row(app):
    with app.test_request_context("/"):
        data = {**typed(1), "_add": "doelen"}
        form = bound(app, spec(), data)
        assert apply_row_action(form, MultiDict(data))
        assert [e.form.doel.data for e in form.doelen.entries] == ["Doel tekst 0", None]
        html = render(form)
    assert 'name="doelen-1-doel"' in html and 'value="Doel tekst 0"' in html
    assert "Fout:" not in html  # the re-render shows no errors
    assert re.search(r'<legend[^>]*>Doel <span data-row-number>2</span></legend>', html)


def test_remove_takes_out_that_row_and_renumbers_the_rest(app):
    with app.test_request_context("/"):
        data = {**typed(3), "_remove": "doelen-1"}
        form = bound(app, spec(), data)
        apply_row_action(form, MultiDict(data))
        assert [e.form.doel.data for e in form.doelen.entries] == ["Doel tekst 0", "Doel tekst 2"]
        assert [e.name for e in form.doelen.entries] == ["doelen-0", "doelen-1"]
        assert form.doelen.entries[1].form.doel.name == "doelen-1-doel"


def test_no_add_past_max_items_and_no_remove_below_min_items(app):
    with app.test_request_context("/"):
        full = bound(app, spec(max_items=2), {**typed(2), "_add": "doelen"})
        apply_row_action(full, MultiDict({"_add": "doelen"}))
        assert len(full.doelen.entries) == 2 and not full.doelen.can_add
        html = render(full)
        assert re.search(r'data-row-add hidden>Nog een doel toevoegen</button>', html)
        one = bound(app, spec(min_items=1), typed(1))
        apply_row_action(one, MultiDict({"_remove": "doelen-0"}))
        assert len(one.doelen.entries) == 1 and not one.doelen.can_remove
        assert re.search(r'data-row-remove hidden>Verwijderen', render(one))


def test_a_blank_row_is_dropped_not_checked_when_the_array_can_do_without(app):
    with app.test_request_context("/"):
        form = bound(app, spec(), {**typed(2), "doelen-2-doel": "", "doelen-2-wie": ""})
        assert form.validate(), form.errors
        assert form_to_data(form, spec()) == {"doelen": [{"doel": "Doel tekst 0", "wie": "ik"},
                                                         {"doel": "Doel tekst 1", "wie": "ik"}]}


def test_a_blank_row_is_checked_when_min_items_needs_it(app):
    with app.test_request_context("/"):
        form = bound(app, spec(min_items=2), {**typed(1), "doelen-1-doel": ""})
        assert not form.validate()
        assert form.doelen.entries[1].form.doel.errors == ["Vul doel in."]
        assert not form.doelen.entries[0].form.errors


def test_an_empty_array_is_fine_without_min_items(app):
    form_spec = form_spec_from_schema("t", {"type": "object", "properties": {
        "examens": {"type": "array", "title": "Examens", "items": GOAL, "minItems": 0}}})
    with app.test_request_context("/"):
        form = bound(app, form_spec, {"examens-0-doel": "  ", "examens-0-wie": ""})
        assert form.validate(), form.errors
        assert form_to_data(form, form_spec) == {}
        assert form.examens.can_remove  # the last row may be emptied
        assert form_spec.violations(form_to_data(form, form_spec)) == []


def test_too_many_rows_is_an_error_not_a_cut(app):
    with app.test_request_context("/"):
        form = bound(app, spec(max_items=3), typed(5))
        assert not form.validate()
        assert "hoogstens 3" in " ".join(e for e in form.doelen.errors if isinstance(e, str))


def test_read_only_values_are_shown_posted_back_and_typed(app):
    row = {"type": "object", "title": "Doel", "required": ["nummer", "status"], "properties": {
        "nummer": {"type": "integer", "title": "Nummer", "readOnly": True, "x-widget": "hidden"},
        "tekst": {"type": "string", "title": "Doel uit het plan", "readOnly": True},
        "oordeel": {"type": "string", "title": "Zelf", "readOnly": True,
                    "oneOf": [{"const": "goed", "title": "Goed"}]},
        "status": {"type": "string", "title": "Stand", "oneOf": [{"const": "op_schema", "title": "Op schema"}]}}}
    form_spec = form_spec_from_schema("t", {"type": "object", "required": ["doelen"], "properties": {
        "doelen": {"type": "array", "title": "Doelen", "items": row, "x-fixedRows": True}}})
    initial = {"doelen": [{"nummer": 1, "tekst": "Taal – B1 halen", "oordeel": "goed"}, {"nummer": 2, "tekst": "Werk"}]}
    with app.test_request_context("/"):
        form = bound(app, form_spec, data_formdata(form_spec.fields, initial))
        html = render(form)
        assert '<p class="portal-readonly__value">Taal – B1 halen</p>' in html
        assert '<p class="portal-readonly__value">Goed</p>' in html  # a choice's title
        assert 'type="hidden" value="1"' in html and "data-row-add" not in html and "data-row-remove" not in html
        posted = MultiDict([*data_formdata(form_spec.fields, initial).items(multi=True),
                            ("doelen-0-status", "op_schema"), ("doelen-1-status", "op_schema")])
        form = bound(app, form_spec, posted)
        assert form.validate(), form.errors
        assert form_to_data(form, form_spec)["doelen"][0] == {"nummer": 1, "tekst": "Taal – B1 halen",
                                                              "oordeel": "goed", "status": "op_schema"}
        tampered = bound(app, form_spec, {**posted.to_dict(), "doelen-0-nummer": "een", "doelen-0-oordeel": "x"})
        assert not tampered.validate()


def test_read_only_needs_a_plain_value():
    with pytest.raises(FormSchemaError, match="readOnly"):
        form_spec_from_schema("t", {"type": "object", "properties": {
            "s": {"type": "object", "title": "S", "readOnly": True, "properties": {}}}})
