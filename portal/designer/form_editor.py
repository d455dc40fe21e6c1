"""The form editor's list of fields: read a form's JSON Schema as a list, and write a changed list back into
the schema without losing what only the JSON says (checking the schema: :mod:`portal.designer.form_check`).

The editor shows the same schema twice: as JSON text and as a list of fields. A submit carries both and the
*basis*, the schema the list was drawn from. :func:`apply` is a three-way merge: what the list changed against
the basis is written into the JSON text as typed, attribute by attribute, so a ``maxLength`` typed into the JSON
and a label changed in the list in the same submit both survive.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _

from portal.designer.form_check import KEY, RESERVED_KEYS

#: Field kinds the list edits. "other" is anything else (read-only values, …): only its texts are edited there.
KINDS = ("text", "textarea", "date", "integer", "number", "boolean", "choice", "radio", "multichoice",
         "section", "rows", "other")
CHOICE_KINDS = frozenset({"choice", "radio", "multichoice"})
#: Keys that say what kind a property is; a change of kind replaces them (other keys, e.g. x-sensitivity, stay).
TYPE_KEYS = ("type", "format", "x-widget", "oneOf", "enum", "items", "uniqueItems", "maxItems", "minItems",
             "properties", "required", "minimum", "maximum", "maxLength", "minLength", "pattern", "const",
             "x-notBefore", "x-notAfter", "x-fixedRows", "readOnly")
FORM_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}\Z")


def form_path(name: str) -> str:
    return f"forms/{name}.json"


def valid_form_name(name: str) -> bool:
    return bool(FORM_NAME.match(name)) and ".." not in name


@dataclass(frozen=True)
class FieldRow:
    """One property of the schema as the list shows it. ``orig``/``parent`` name it in the basis ("" for new)."""

    key: str
    title: str = ""
    kind: str = "text"
    required: bool = False
    options: str = ""
    help: str = ""
    extra_help: str = ""
    orig: str = ""
    parent: str = ""


@dataclass(frozen=True)
class Structure:
    title: str = ""
    description: str = ""
    rows: tuple[FieldRow, ...] = field(default=())


# -- the list of fields ------------------------------------------------------------------------------------

def _choice_source(prop: dict[str, Any]) -> dict[str, Any] | None:
    if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
        return prop["items"]
    return prop


def _choices(prop: dict[str, Any]) -> list[tuple[str, str]]:
    source = _choice_source(prop) or {}
    if isinstance(source.get("oneOf"), list):
        return [(str(o.get("const")), str(o.get("title", o.get("const")))) for o in source["oneOf"]
                if isinstance(o, dict)]
    if isinstance(source.get("enum"), list):
        return [(str(v), str(v)) for v in source["enum"]]
    return []


def kind_of(prop: Any) -> str:
    if not isinstance(prop, dict) or prop.get("readOnly") is True:
        return "other"
    kind = prop.get("type")
    if kind == "object":
        return "section"
    if kind == "array":
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        if items.get("type") == "object":
            return "rows"
        return "multichoice" if _choices(prop) else "other"
    if kind == "string":
        if _choices(prop):
            return "radio" if prop.get("x-widget") == "radio" else "choice"
        if prop.get("format") == "date":
            return "date"
        widget = prop.get("x-widget")
        return "textarea" if widget == "textarea" else "text" if widget in (None, "text") else "other"
    if kind in ("integer", "number", "boolean"):
        return kind
    return "other"


def options_text(prop: dict[str, Any]) -> str:
    return "\n".join(value if value == label else f"{value} = {label}" for value, label in _choices(prop))


def parse_options(text: str) -> list[tuple[str, str]]:
    """``waarde = Label`` per line (a line without ``=`` is both). :raises ValueError: a value twice."""
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        value, sep, label = line.partition("=")
        value, label = value.strip(), label.strip() if sep else value.strip()
        if not value:
            raise ValueError(_("Elke keuze heeft een waarde vóór het =-teken."))
        options.append((value, label or value))
    values = [value for value, _label in options]
    if len(set(values)) < len(values):
        raise ValueError(_("Elke keuze heeft een eigen waarde; een waarde staat er twee keer."))
    return options


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _row(key: str, prop: Any, required: set, parent: str) -> FieldRow:
    prop = prop if isinstance(prop, dict) else {}
    return FieldRow(key=key, title=_text(prop.get("title")), kind=kind_of(prop), required=key in required,
                    options=options_text(prop), help=_text(prop.get("description")),
                    extra_help=_text(prop.get("x-help")), orig=key, parent=parent)


def structure(schema: dict[str, Any]) -> Structure:
    """The schema as the list shows it: the form's texts, then each field (a section's fields after it)."""
    rows = []
    required = set(r for r in schema.get("required") or [] if isinstance(r, str))
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for key, prop in properties.items():
        row = _row(key, prop, required, "")
        rows.append(row)
        inner = prop.get("items") if row.kind == "rows" else prop if row.kind == "section" else None
        if isinstance(inner, dict) and isinstance(inner.get("properties"), dict):
            inner_required = set(r for r in inner.get("required") or [] if isinstance(r, str))
            rows.extend(_row(child, sub, inner_required, key) for child, sub in inner["properties"].items())
    return Structure(_text(schema.get("title")), _text(schema.get("description")), tuple(rows))


def row_problems(rows: tuple[FieldRow, ...]) -> dict[int, dict[str, str]]:
    """Per row (by index) and attribute: what is wrong with the list as submitted."""
    found: dict[int, dict[str, str]] = {}
    seen: set[tuple[str, str]] = set()
    for index, row in enumerate(rows):
        if not KEY.match(row.key):
            found.setdefault(index, {})["key"] = _("Gebruik letters, cijfers en _ (niet beginnen met een cijfer).")
        elif row.key in RESERVED_KEYS:
            found.setdefault(index, {})["key"] = _("Deze naam gebruikt de taakpagina zelf; kies een andere.")
        elif (row.parent, row.key) in seen:
            found.setdefault(index, {})["key"] = _("Twee velden hebben de naam “%(key)s”.", key=row.key)
        seen.add((row.parent, row.key))
        if row.kind not in KINDS:
            found.setdefault(index, {})["kind"] = _("Kies een soort uit de lijst.")
        if row.kind in CHOICE_KINDS:
            try:
                if not parse_options(row.options):
                    found.setdefault(index, {})["options"] = _("Geef minstens één keuze.")
            except ValueError as exc:
                found.setdefault(index, {})["options"] = str(exc)
    return found


def _retype(prop: dict[str, Any], kind: str, options: str) -> None:
    for key in TYPE_KEYS:
        prop.pop(key, None)
    choices = [{"const": value, "title": label} for value, label in parse_options(options)]
    shapes: dict[str, dict[str, Any]] = {
        "text": {"type": "string"},
        "textarea": {"type": "string", "x-widget": "textarea"},
        "date": {"type": "string", "format": "date"},
        "integer": {"type": "integer"},
        "number": {"type": "number"},
        "boolean": {"type": "boolean"},
        "choice": {"type": "string", "oneOf": choices},
        "radio": {"type": "string", "oneOf": choices, "x-widget": "radio"},
        "multichoice": {"type": "array", "items": {"type": "string", "oneOf": choices}, "uniqueItems": True},
        "section": {"type": "object", "properties": {}},
        "rows": {"type": "array", "items": {"type": "object", "properties": {}}},
    }
    prop.update(shapes[kind])


def _set_options(prop: dict[str, Any], options: str) -> None:
    source = _choice_source(prop)
    source.pop("enum", None)
    source["oneOf"] = [{"const": value, "title": label} for value, label in parse_options(options)]


def _set_text(prop: dict[str, Any], key: str, value: str) -> None:
    if value.strip():
        prop[key] = value
    else:
        prop.pop(key, None)


def _set_required(container: dict[str, Any], key: str, required: bool) -> None:
    names = container.get("required")
    names = [n for n in names if n != key] if isinstance(names, list) else []
    if required:
        names.append(key)
    if names:
        container["required"] = names
    else:
        container.pop("required", None)


def container_of(schema: dict[str, Any], parent: str) -> dict[str, Any] | None:
    if not parent:
        return schema
    properties = schema.get("properties")
    prop = properties.get(parent) if isinstance(properties, dict) else None
    kind = kind_of(prop)
    if kind == "section":
        return prop
    if kind == "rows":
        return prop["items"]
    return None


def _write(container: dict[str, Any], row: FieldRow, base: FieldRow | None) -> None:
    """Write what ``row`` changed against ``base`` (everything, for a new row) into ``container``."""
    properties = container.setdefault("properties", {})
    if not isinstance(properties, dict):
        return
    prop = properties.get(base.orig) if base is not None else None
    if not isinstance(prop, dict):  # new, or removed from the JSON meanwhile: write it whole
        base, prop = None, {}
    if base is None or row.title != base.title:
        _set_text(prop, "title", row.title)
    if base is None or row.help != base.help:
        _set_text(prop, "description", row.help)
    if base is None or row.extra_help != base.extra_help:
        _set_text(prop, "x-help", row.extra_help)
    if row.kind != "other" and (base is None or row.kind != base.kind):
        _retype(prop, row.kind, row.options)
    elif row.kind in CHOICE_KINDS and base is not None and row.options != base.options:
        _set_options(prop, row.options)
    old_key = base.orig if base is not None else row.key
    if base is None or row.key != old_key:  # (re)name in place: the order of the fields stays
        items = list(properties.items()) if base is not None else [*properties.items(), (row.key, prop)]
        properties.clear()
        properties.update((row.key if k == old_key else k, prop if k == old_key else v) for k, v in items)
        if base is not None and old_key in (container.get("required") if isinstance(container.get("required"), list)
                                            else []):
            _set_required(container, old_key, False)
            _set_required(container, row.key, True)
    else:
        properties[row.key] = prop
    if base is None or row.required != base.required:
        _set_required(container, row.key, row.required)


def apply(schema: dict[str, Any], base: Structure, submitted: Structure) -> dict[str, Any]:
    """``schema`` (the JSON as typed) with what ``submitted`` (the list) changed against ``base`` written in."""
    result = copy.deepcopy(schema)
    if submitted == base:
        return result
    if submitted.title != base.title:
        _set_text(result, "title", submitted.title)
    if submitted.description != base.description:
        _set_text(result, "description", submitted.description)
    base_rows = {(r.parent, r.orig): r for r in base.rows}
    kept = {(r.parent, r.orig) for r in submitted.rows if r.orig}
    parents = [p for p in dict.fromkeys(r.parent for r in (*base.rows, *submitted.rows)) if p] + [""]
    for parent in parents:  # sections' fields first: their section still has its old name
        container = container_of(result, parent)
        if container is None:
            continue
        for where, orig in base_rows:
            if where == parent and (where, orig) not in kept:
                properties = container.get("properties")
                if isinstance(properties, dict):
                    properties.pop(orig, None)
                _set_required(container, orig, False)
        group = [r for r in submitted.rows if r.parent == parent]
        for row in group:
            known = base_rows.get((parent, row.orig)) if row.orig else None
            if known is None or row != known:
                _write(container, row, known)
        wanted = [r.key for r in group]
        base_order = [r.key for r in base.rows if r.parent == parent and (parent, r.orig) in kept]
        properties = container.get("properties")
        if isinstance(properties, dict) and wanted != base_order:
            ordered = [k for k in wanted if k in properties] + [k for k in properties if k not in wanted]
            items = dict(properties)
            properties.clear()
            properties.update((k, items[k]) for k in ordered)
    return result


def act(current: Structure, action: str) -> Structure:
    """The list after a button: ``add``, ``add-<n>`` (a field in section/rows row n), ``remove-<n>``,
    ``up-<n>``, ``down-<n>`` (moves among the fields of the same section). An unknown action changes nothing."""
    rows = list(current.rows)
    verb, _sep, number = action.partition("-")
    index = int(number) if number.isdigit() and int(number) < len(rows) else None
    if verb == "add":
        holder = rows[index] if index is not None else None
        parent = holder.orig if holder is not None and holder.kind in ("section", "rows") and not holder.parent \
            else ""
        taken = {r.key for r in rows if r.parent == parent}
        key = next(f"veld_{n}" for n in range(1, len(rows) + 2) if f"veld_{n}" not in taken)
        new = FieldRow(key=key, title=_("Nieuw veld"), parent=parent)
        if parent:  # after the section's last field
            last = max(i for i, r in enumerate(rows) if i == index or r.parent == parent)
            rows.insert(last + 1, new)
        else:
            rows.append(new)
    elif verb == "remove" and index is not None:
        gone = rows.pop(index)
        if gone.kind in ("section", "rows") and not gone.parent:
            rows = [r for r in rows if not (r.parent and r.parent == gone.orig)]
    elif verb in ("up", "down") and index is not None:
        siblings = [i for i, r in enumerate(rows) if r.parent == rows[index].parent]
        at = siblings.index(index)
        other = siblings[at - 1] if verb == "up" and at > 0 else \
            siblings[at + 1] if verb == "down" and at + 1 < len(siblings) else None
        if other is not None:
            rows = _swap(rows, index, other)
    return replace(current, rows=tuple(rows))


def _swap(rows: list[FieldRow], a: int, b: int) -> list[FieldRow]:
    """Swap two sibling fields, each with the fields of its section."""
    def block(i: int) -> list[int]:
        row = rows[i]
        children = [j for j, r in enumerate(rows) if not row.parent and r.parent and r.parent == row.orig]
        return [i, *children]
    first, second = sorted((block(a), block(b)))
    taken = set(first) | set(second)
    out: list[FieldRow] = []
    for i, row in enumerate(rows):
        if i == first[0]:
            out.extend(rows[j] for j in second)
        elif i == second[0]:
            out.extend(rows[j] for j in first)
        elif i not in taken:
            out.append(row)
    return out


def dump(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def canonical(schema: dict[str, Any]) -> str:
    """The basis as one line (it travels in a hidden input)."""
    return json.dumps(schema, ensure_ascii=False, separators=(",", ":"))


def starter(title: str) -> str:
    """A new form: a title and one optional text field to start from."""
    return dump({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "properties": {"toelichting": {"type": "string", "title": "Toelichting", "x-widget": "textarea"}},
    })
