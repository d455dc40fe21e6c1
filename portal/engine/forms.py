"""Form specifications: a user task's JSON Schema turned into plain portal dataclasses.

The schema (``workflows/forms/<task_id>.json``) is the process designer's source of truth. This
module reads the subset the portal supports (flat fields, one level of sections, arrays of choices
or of row objects) and checks submitted task data against the full schema with ``jsonschema``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from portal.dates import add_days, add_months, add_weeks, parse_duration

FIELD_KINDS = ("text", "textarea", "date", "integer", "number", "boolean", "choice", "multichoice",
               "section", "rows")

# Bounds a field gets when its schema sets none (docs/forms.md, "Bounds"); they are written into the
# schema the portal validates with, so the form and ``FormSpec.violations`` enforce the same.
#: ``maxLength`` of free text on one line, and of a ``textarea``.
DEFAULT_MAX_LENGTH = 200
DEFAULT_MAX_LENGTH_TEXTAREA = 5000
#: ``maxItems`` of repeating rows (an array of several choices: the number of choices).
DEFAULT_MAX_ROWS = 50
#: ``minimum``/``maximum`` of a number.
DEFAULT_NUMBER_RANGE = (-1_000_000, 1_000_000)
#: Every date lies in [DATE_FLOOR, today + DATE_HORIZON]; ``x-notBefore``/``x-notAfter`` narrow that
#: relative to today: an ISO 8601 duration, negative for the past ("-P5Y": not before five years ago;
#: "P0D": not after today).
DATE_FLOOR = date(1900, 1, 1)
DATE_HORIZON = "P10Y"
DATE_KEYWORDS = ("x-notBefore", "x-notAfter")


def shift(today: date, offset: str) -> date:
    """``today`` moved by a signed ISO 8601 duration of years, months, weeks and days ("-P5Y", "P14D").

    :raises ValueError: not such a duration (a time part is refused too: a date has no hours).
    """
    text = offset.strip() if isinstance(offset, str) else offset
    sign = -1 if isinstance(text, str) and text.startswith("-") else 1
    duration = parse_duration(text[1:] if sign < 0 else text)
    if duration.has_time:
        raise ValueError(f"{offset!r}: a date window counts whole days; leave out the time part")
    return add_days(add_weeks(add_months(today, sign * duration.total_months), sign * duration.weeks),
                    sign * duration.days)


class FormSchemaError(ValueError):
    """The schema uses a construct the portal cannot render."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, order=True)
class Violation:
    path: tuple[str, ...]
    rule: str
    message: str
    #: The schema's value for the rule (e.g. 6 for ``minimum``), for a translated message.
    limit: str = ""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    label: str
    help: str = ""
    extra_help: str = ""
    required: bool = False
    widget: str | None = None
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None
    example: Any = None
    must_be_true: bool = False
    sensitivity: str | None = None
    domain: str | None = None
    children: tuple[FieldSpec, ...] = ()
    #: The most rows (``rows``) or choices (``multichoice``).
    max_items: int | None = None
    #: The fewest rows (``rows``, ``minItems``; 0 when the schema sets none).
    min_items: int = 0
    #: What one row is called ("Doel": legend "Doel 2", button "Nog een doel toevoegen"): ``items.title``.
    row_label: str = ""
    #: Rows come from the task's initial data and cannot be added or removed (``x-fixedRows: true``).
    fixed_rows: bool = False
    #: Shown, not answered (``readOnly: true``): the value comes from the task's initial data and is
    #: posted back unchanged in a hidden input.
    read_only: bool = False
    #: A date's window relative to today (``x-notBefore``/``x-notAfter``), see :meth:`date_window`.
    not_before: str | None = None
    not_after: str | None = None

    @property
    def sensitive(self) -> bool:
        return self.sensitivity is not None

    def date_window(self, today: date) -> tuple[date, date]:
        """The first and last date a date field takes on ``today``: the schema's window, within the
        plausible one (:data:`DATE_FLOOR` to ``today`` + :data:`DATE_HORIZON`)."""
        first, last = DATE_FLOOR, shift(today, DATE_HORIZON)
        if self.not_before is not None:
            first = max(first, shift(today, self.not_before))
        if self.not_after is not None:
            last = min(last, shift(today, self.not_after))
        return first, last


@dataclass(frozen=True)
class FormSpec:
    task_id: str
    title: str
    description: str
    fields: tuple[FieldSpec, ...]
    schema: dict[str, Any] = field(repr=False, compare=False, hash=False)

    def violations(self, data: dict[str, Any]) -> list[Violation]:
        """Every way ``data`` breaks the schema (empty when valid), pointing at the field concerned.

        A missing required property points at that property (so conditional ``if/then`` rules in
        sections land on the right field).
        """
        found = []
        validator = self._validator()
        for error in validator.iter_errors(data):
            path = tuple(str(p) for p in error.absolute_path)
            if error.validator == "required":
                missing = [name for name in error.validator_value if name not in (error.instance or {})]
                found.extend(Violation(path + (name,), "required", error.message) for name in missing)
            else:
                found.append(Violation(path, str(error.validator), error.message, str(error.validator_value)))
        return sorted(set(found))

    def _validator(self) -> Draft202012Validator:
        validator = self.__dict__.get("_compiled")
        if validator is None:  # frozen dataclass: cache through __dict__
            validator = Draft202012Validator(self.schema)
            object.__setattr__(self, "_compiled", validator)
        return validator

    def validation_errors(self, data: dict[str, Any]) -> list[str]:
        """The violations as ``path: message`` lines."""
        return [f"{'/'.join(v.path) or '(form)'}: {v.message}" for v in self.violations(data)]

    def iter_fields(self):
        """Every field, sections flattened, as (path, FieldSpec)."""
        for spec in self.fields:
            yield (spec.name,), spec
            for child in spec.children:
                yield (spec.name, child.name), child

    def sensitive_paths(self) -> set[tuple[str, ...]]:
        return {path for path, spec in self.iter_fields() if spec.sensitive}


def _choices(schema: dict[str, Any]) -> tuple[Choice, ...]:
    if "oneOf" in schema:
        return tuple(Choice(str(option["const"]), option.get("title", str(option["const"])))
                     for option in schema["oneOf"])
    if "enum" in schema:
        return tuple(Choice(str(value), str(value)) for value in schema["enum"])
    return ()


def _date_keywords(schema: dict[str, Any], where: str) -> dict[str, str | None]:
    window = {}
    for keyword, name in zip(DATE_KEYWORDS, ("not_before", "not_after"), strict=True):
        value = schema.get(keyword)
        if value is not None:
            try:
                shift(date(2000, 1, 1), value)
            except (ValueError, TypeError) as exc:
                raise FormSchemaError(f"{where}: {keyword} must be a signed ISO 8601 duration such as "
                                      f"'-P5Y' or 'P0D': {exc}") from exc
        window[name] = value
    today = date(2000, 1, 1)
    if window["not_before"] and window["not_after"] and \
            shift(today, window["not_before"]) > shift(today, window["not_after"]):
        raise FormSchemaError(f"{where}: x-notBefore lies after x-notAfter; no date fits")
    return window


def _field(name: str, schema: dict[str, Any], required: bool, depth: int, where: str) -> FieldSpec:
    kind_of = schema.get("type")
    if kind_of != "string" or schema.get("format") != "date":
        for keyword in DATE_KEYWORDS:
            if keyword in schema:
                raise FormSchemaError(f"{where}.{name}: {keyword} only applies to a date (format: date)")
    common = {
        "name": name,
        "label": schema.get("title", name),
        "help": schema.get("description", ""),
        "extra_help": schema.get("x-help", ""),
        "required": required,
        "widget": schema.get("x-widget"),
        "sensitivity": schema.get("x-sensitivity"),
        "domain": schema.get("x-domain"),
        "example": (schema.get("examples") or [None])[0],
        "read_only": schema.get("readOnly") is True,
    }
    if common["read_only"] and kind_of not in ("string", "integer", "number"):
        raise FormSchemaError(f"{where}.{name}: only a text, choice or number can be readOnly")
    if kind_of == "object":
        if depth > 0:
            raise FormSchemaError(f"{where}.{name}: sections cannot be nested; flatten them")
        children = _fields(schema, depth + 1, f"{where}.{name}")
        return FieldSpec(kind="section", children=children, **common)
    if kind_of == "array":
        items = schema.get("items", {})
        if items.get("type") == "object":
            if depth > 0:
                raise FormSchemaError(f"{where}.{name}: repeating rows cannot be inside a section")
            return FieldSpec(kind="rows", children=_fields(items, depth + 1, f"{where}.{name}"),
                             max_items=schema.get("maxItems"), min_items=schema.get("minItems", 0),
                             row_label=items.get("title", ""), fixed_rows=schema.get("x-fixedRows") is True,
                             **common)
        choices = _choices(items)
        if not choices:
            raise FormSchemaError(f"{where}.{name}: an array needs items with oneOf/enum choices or objects")
        return FieldSpec(kind="multichoice", choices=choices, max_items=schema.get("maxItems"), **common)
    if kind_of == "boolean":
        return FieldSpec(kind="boolean", must_be_true=schema.get("const") is True, **common)
    if kind_of in ("integer", "number"):
        return FieldSpec(kind=kind_of, minimum=schema.get("minimum"), maximum=schema.get("maximum"), **common)
    if kind_of == "string":
        choices = _choices(schema)
        if choices:
            return FieldSpec(kind="choice", choices=choices, **common)
        if schema.get("format") == "date":
            return FieldSpec(kind="date", **_date_keywords(schema, f"{where}.{name}"), **common)
        kind = "textarea" if schema.get("x-widget") == "textarea" else "text"
        return FieldSpec(kind=kind, max_length=schema.get("maxLength"), min_length=schema.get("minLength"),
                         pattern=schema.get("pattern"), **common)
    raise FormSchemaError(f"{where}.{name}: unsupported type {kind_of!r}")


def _fields(schema: dict[str, Any], depth: int, where: str) -> tuple[FieldSpec, ...]:
    required = set(schema.get("required", ()))
    return tuple(
        _field(name, sub, name in required, depth, where) for name, sub in schema.get("properties", {}).items()
    )


def _bounded(schema: dict[str, Any]) -> None:
    """Write the default bounds into the properties (and rows) of ``schema`` where it sets none."""
    for sub in schema.get("properties", {}).values():
        if not isinstance(sub, dict):
            continue
        kind_of = sub.get("type")
        if kind_of == "object":
            _bounded(sub)
        elif kind_of == "array":
            items = sub.get("items", {})
            if isinstance(items, dict) and items.get("type") == "object":
                sub.setdefault("maxItems", DEFAULT_MAX_ROWS)
                _bounded(items)
            elif isinstance(items, dict):
                sub.setdefault("maxItems", len(_choices(items)) or DEFAULT_MAX_ROWS)
                sub.setdefault("uniqueItems", True)
        elif kind_of in ("integer", "number"):
            sub.setdefault("minimum", DEFAULT_NUMBER_RANGE[0])
            sub.setdefault("maximum", DEFAULT_NUMBER_RANGE[1])
        elif kind_of == "string" and not _choices(sub) and sub.get("format") != "date":
            sub.setdefault("maxLength", DEFAULT_MAX_LENGTH_TEXTAREA if sub.get("x-widget") == "textarea"
                           else DEFAULT_MAX_LENGTH)


def form_spec_from_schema(task_id: str, schema: dict[str, Any]) -> FormSpec:
    """Build a :class:`FormSpec`; raises :class:`FormSchemaError` on a schema the portal cannot use.

    Fields without bounds of their own get the defaults above (the spec's schema has them too)."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise FormSchemaError(f"{task_id}: not a valid JSON Schema: {exc.message}") from exc
    if schema.get("type") != "object":
        raise FormSchemaError(f"{task_id}: the top level of a form schema must be type object")
    schema = copy.deepcopy(schema)
    _bounded(schema)
    return FormSpec(
        task_id=task_id,
        title=schema.get("title", task_id),
        description=schema.get("description", ""),
        fields=_fields(schema, 0, task_id),
        schema=schema,
    )
