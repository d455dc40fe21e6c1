import pytest

from portal.engine import FormSchemaError, form_spec_from_schema

SCHEMA = {
    "type": "object",
    "required": ["datum", "keuze"],
    "properties": {
        "datum": {"type": "string", "format": "date", "title": "Datum"},
        "keuze": {"type": "string", "title": "Keuze", "oneOf": [{"const": "a", "title": "A"}]},
        "gezondheid": {"type": "object", "title": "Gezondheid", "x-domain": "gezondheid", "properties": {
            "mentaal": {"type": "string", "title": "Mentaal", "x-sensitivity": "health"}}},
        "ok": {"type": "boolean", "const": True, "title": "Bevestigd"},
    },
}


def test_spec_reads_kinds_sections_and_hints():
    spec = form_spec_from_schema("t", SCHEMA)
    kinds = {f.name: f.kind for f in spec.fields}
    assert kinds == {"datum": "date", "keuze": "choice", "gezondheid": "section", "ok": "boolean"}
    assert spec.sensitive_paths() == {("gezondheid", "mentaal")}
    assert next(f for f in spec.fields if f.name == "ok").must_be_true


def test_validation_errors_name_the_field():
    spec = form_spec_from_schema("t", SCHEMA)
    assert spec.validation_errors({"datum": "2026-01-01", "keuze": "a"}) == []
    errors = spec.validation_errors({"keuze": "b", "ok": False})
    assert any(e.startswith("datum:") and "required" in e for e in errors)  # points at the missing field
    assert any(e.startswith("keuze") for e in errors)
    assert any(e.startswith("ok") for e in errors)


@pytest.mark.parametrize("schema", [
    {"type": "array"},
    {"type": "object", "properties": {"a": {"type": "object", "properties": {
        "b": {"type": "object", "properties": {}}}}}},
    {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}}}},
    {"type": "object", "properties": {"a": {"type": "wrong"}}},
])
def test_unsupported_schemas_are_refused(schema):
    with pytest.raises(FormSchemaError):
        form_spec_from_schema("t", schema)
