"""The form editor's services: checking a schema as the engine would, the list of fields over it, and the
three-way merge of the list into the JSON as typed."""

import json

import pytest

from portal.designer import form_check
from portal.designer import form_editor as fe
from portal.designer.form_editor import FieldRow, Structure

SCHEMA = {
    "title": "Gesprek",
    "type": "object",
    "properties": {
        "datum": {"type": "string", "format": "date", "title": "Datum"},
        "uitkomst": {"type": "string", "title": "Uitkomst", "oneOf": [{"const": "ja", "title": "Ja"},
                                                                      {"const": "nee", "title": "Nee"}]},
        "toelichting": {"type": "string", "title": "Toelichting", "maxLength": 300},
        "acties": {"type": "array", "title": "Acties", "items": {"type": "object", "title": "Actie", "properties": {
            "wat": {"type": "string", "title": "Wat"}}, "required": ["wat"]}},
    },
    "required": ["datum"],
}


def test_structure_reads_kinds_options_and_rows_fields():
    rows = {(r.parent, r.key): r for r in fe.structure(SCHEMA).rows}
    assert rows[("", "datum")].kind == "date" and rows[("", "datum")].required
    assert rows[("", "uitkomst")].kind == "choice" and rows[("", "uitkomst")].options == "ja = Ja\nnee = Nee"
    assert rows[("", "acties")].kind == "rows"
    assert rows[("acties", "wat")].required and rows[("acties", "wat")].parent == "acties"


def test_unchanged_list_keeps_the_json_as_typed():
    base = fe.structure(SCHEMA)
    typed = json.loads(json.dumps(SCHEMA))
    typed["properties"]["toelichting"]["maxLength"] = 100
    assert fe.apply(typed, base, base) == typed


def test_list_change_and_json_change_both_survive():
    base = fe.structure(SCHEMA)
    typed = json.loads(json.dumps(SCHEMA))
    typed["properties"]["toelichting"]["maxLength"] = 100  # typed into the JSON
    rows = [r if r.key != "toelichting" else FieldRow(**{**r.__dict__, "title": "Uitleg", "required": True})
            for r in base.rows]
    merged = fe.apply(typed, base, Structure(base.title, base.description, tuple(rows)))
    assert merged["properties"]["toelichting"] == {"type": "string", "title": "Uitleg", "maxLength": 100}
    assert merged["required"] == ["datum", "toelichting"]


def test_rename_retype_reorder_add_and_remove():
    base = fe.structure(SCHEMA)
    current = fe.act(base, "add")
    assert current.rows[-1].key == "veld_1" and current.rows[-1].orig == ""
    rows = list(current.rows)
    rows[-1] = FieldRow(key="besluit", title="Besluit", kind="radio", options="a = Akkoord\nb", required=True)
    rows = [FieldRow(**{**r.__dict__, "key": "dag"}) if r.key == "datum" else r for r in rows]
    current = fe.act(fe.act(Structure(base.title, "", tuple(rows)), "down-0"), "remove-0")
    merged = fe.apply(SCHEMA, base, current)
    assert list(merged["properties"]) == ["dag", "toelichting", "acties", "besluit"]
    assert merged["required"] == ["dag", "besluit"]
    assert merged["properties"]["besluit"] == {
        "title": "Besluit", "type": "string", "x-widget": "radio",
        "oneOf": [{"const": "a", "title": "Akkoord"}, {"const": "b", "title": "b"}]}
    assert form_check.check("x", fe.dump(merged)).problems == []


def test_a_field_added_to_a_rows_group_lands_in_its_items():
    base = fe.structure(SCHEMA)
    index = [r.key for r in base.rows].index("acties")
    merged = fe.apply(SCHEMA, base, fe.act(base, f"add-{index}"))
    assert list(merged["properties"]["acties"]["items"]["properties"]) == ["wat", "veld_1"]


@pytest.mark.parametrize(("text", "expected"), [
    ('{"type": "object",\n "properties": {"a": {"type": "string"},}}', "regel 2, kolom"),
    ('{"type": "object", "properties": {"a": {"type": "strin"}}}', "niet tonen"),
    ('{"type": "object", "properties": {"a": {"type": "string"}, "a": {"type": "integer"}}}', "twee keer"),
    ('{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["b"]}', "“b” is verplicht"),
    ('{"type": "object", "properties": {"save_draft": {"type": "string"}}}', "taakpagina zelf"),
    ('[1, 2]', "JSON-object"),
    ('{"type": "object", "properties": {"a": {"type": "string", "pattern": "(["}}}', "reguliere expressie"),
    ('{"a":' * 40 + '1' + '}' * 40, "te diep"),
    ('[' * 100000 + ']' * 100000, "te diep"),
])
def test_check_reports_what_the_engine_would_refuse(app, text, expected):
    with app.test_request_context():
        problems = form_check.check("x", text).problems
    assert any(expected in p for p in problems), problems


def test_row_problems():
    rows = (FieldRow(key="a"), FieldRow(key="a"), FieldRow(key="1x"), FieldRow(key="k", kind="choice"))
    found = fe.row_problems(rows)
    assert set(found) == {1, 2, 3} and "options" in found[3]
