"""Check a form's JSON Schema as the engine (and so lint and deploy) would, and for what would break its task
page: invalid JSON with its line and column, duplicate names, what ``form_spec_from_schema`` refuses, names the
task page uses itself, required fields that are not there. Hostile text is bounded (size, depth)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from portal.engine.diff import form_fields
from portal.engine.forms import FormSchemaError, form_spec_from_schema
from portal.engine.model import read_processes

#: Names the task page's own form uses: a property with one of them would replace a part of the page.
RESERVED_KEYS = frozenset({"csrf_token", "save_draft", "_add", "_remove"})
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}\Z")
MAX_SOURCE_CHARS = 200_000
#: Deeper JSON is no form (sections are one level deep); the limit keeps hostile text from recursing.
MAX_DEPTH = 32


@dataclass
class Checked:
    """A form text checked: the schema (None when it is no JSON object), the problems the engine or lint find."""

    schema: dict[str, Any] | None
    problems: list[str]
    spec: Any = None


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(_("De naam “%(key)s” staat twee keer in hetzelfde object.", key=key))
        seen[key] = value
    return seen


def parse(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The JSON object in ``text``, or None and why not (with line and column)."""
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        return None, [_("De JSON is niet geldig: regel %(line)d, kolom %(column)d: %(detail)s",
                        line=exc.lineno, column=exc.colno, detail=exc.msg)]
    except ValueError as exc:  # a duplicate name (json.loads would silently keep the last one)
        return None, [str(exc)]
    except RecursionError:
        return None, [_("De JSON is te diep genest.")]
    if not isinstance(value, dict):
        return None, [_("Een formulier is een JSON-object: het begint met { en eindigt met }.")]
    if _depth(value) > MAX_DEPTH:
        return None, [_("De JSON is te diep genest (hoogstens %(max)d niveaus).", max=MAX_DEPTH)]
    return value, []


def _depth(value: Any) -> int:
    """How deeply ``value`` nests (without recursion: the text may be hostile)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _patterns(node: Any, where: str = ""):
    """(where, pattern) for every ``pattern`` keyword (the form builder compiles them)."""
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield where, node["pattern"]
        for key, value in node.items():
            yield from _patterns(value, f"{where}.{key}" if where else key)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value, where)


def _containers(schema: dict[str, Any]):
    """(where, object schema) for the form and every section and row object in it."""
    yield "", schema
    properties = schema.get("properties")
    for key, prop in (properties.items() if isinstance(properties, dict) else ()):
        if isinstance(prop, dict) and prop.get("type") == "object":
            yield key, prop
        elif isinstance(prop, dict) and isinstance(prop.get("items"), dict) and prop["items"].get("type") == "object":
            yield key, prop["items"]


def check(name: str, text: str) -> Checked:
    """What the engine (and so lint and deploy) would refuse in this form, and what would break its task page."""
    if len(text) > MAX_SOURCE_CHARS:
        return Checked(None, [_("Het formulier is te groot (hoogstens %(max)d tekens).", max=MAX_SOURCE_CHARS)])
    schema, problems = parse(text)
    if schema is None:
        return Checked(None, problems)
    try:
        spec = form_spec_from_schema(name, schema)
    except FormSchemaError as exc:
        problems.append(_("Zo kan de portal het formulier niet tonen: %(detail)s", detail=str(exc)))
        spec = None
    except (RecursionError, TypeError, ValueError) as exc:
        problems.append(_("Zo kan de portal het formulier niet tonen: %(detail)s", detail=str(exc)))
        spec = None
    for where, pattern in _patterns(schema.get("properties")):
        try:
            re.compile(pattern)
        except re.error as exc:
            problems.append(_("Het patroon bij “%(where)s” is geen geldige reguliere expressie: %(detail)s",
                              where=where, detail=str(exc)))
    for where, container in _containers(schema):
        properties = container.get("properties") or {}
        if not isinstance(properties, dict):
            continue
        prefix = f"{where}." if where else ""
        for key in properties:
            if key in RESERVED_KEYS:
                problems.append(_("Het veld “%(key)s” heeft een naam die de taakpagina zelf gebruikt; kies een "
                                  "andere naam.", key=prefix + key))
            elif not KEY.match(key):
                problems.append(_("De naam “%(key)s” kan niet: gebruik letters, cijfers en _ (niet beginnen met "
                                  "een cijfer).", key=prefix + key))
        required = container.get("required") or []
        for key in required if isinstance(required, list) else []:
            if isinstance(key, str) and key not in properties:
                problems.append(_("“%(key)s” is verplicht maar staat niet bij de velden: zo kan niemand de taak "
                                  "afronden.", key=prefix + key))
    return Checked(schema, problems, spec)


@dataclass(frozen=True)
class StaleUse:
    """A BPMN script, condition or timer that still names a field this form no longer has."""

    key: str
    file: str
    process: str
    element: str
    where: str  # "script", "condition" or "timer"


def field_names(schema: dict[str, Any] | None) -> set[str]:
    """Every name a script can read from this form's answers: fields, sections and rows, nested names too."""
    if not isinstance(schema, dict):
        return set()
    names: set[str] = set()
    for path in form_fields(schema):
        names.update(part.removesuffix("[]") for part in path.split("."))
    return names


def stale_uses(files: dict[str, str], form_path: str, before: list[dict[str, Any] | None],
               now: dict[str, Any] | None) -> list[StaleUse]:
    """Where the draft's BPMN still uses a field that was in ``before`` (the deployed or saved form) and is in
    neither ``now`` nor any other form of the draft: a renamed or removed field that a script, a gateway's
    condition or a timer reads. Only a warning: a name can also come from elsewhere (a script sets it)."""
    if now is None:
        return []
    gone = set().union(*(field_names(schema) for schema in before)) - field_names(now)
    for path, text in files.items():  # the other forms only when something is gone (the live preview asks often)
        if gone and path.startswith("forms/") and path != form_path:
            gone -= field_names(parse(text)[0])
    if not gone:
        return []
    pattern = re.compile(r"(?<![\w.])(" + "|".join(sorted(map(re.escape, gone))) + r")(?!\w)")
    try:
        processes = read_processes({p: t for p, t in files.items() if p.startswith("bpmn/")})
    except ValueError:  # a broken BPMN file: lint reports it
        return []
    found: list[StaleUse] = []
    for process in processes.values():
        texts = [(node.id, where, text) for node in process.nodes.values()
                 for where, text in (("script", node.script), ("timer", node.timer)) if text]
        texts += [(flow.id, "condition", flow.condition) for flow in process.flows.values() if flow.condition]
        for element, where, text in texts:
            for key in sorted(set(pattern.findall(text))):
                found.append(StaleUse(key, process.file, process.id, element, where))
    return sorted(set(found), key=lambda use: (use.key, use.file, use.process, use.element, use.where))
