"""What changed between two sets of process files, in words: nodes, flows, forms and form fields.

:func:`diff_files` compares two ``{path: text}`` sets (a deployed version's ``files`` or the working
directory's) and returns plain :class:`Change` records. Timers, conditions, lanes and the portal's
properties (form file, ``dueIn``, ``portalAction``, ``showSteps``) are attributes of a changed node
or flow, so "the timer went from P3M to P2M" reads as one change with one detail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from portal.engine.model import Flow, Node, ProcessModel, read_processes

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
PROCESS, NODE, FLOW, FORM, FIELD = "process", "node", "flow", "form", "field"
NODE_ATTRIBUTES = ("name", "type", "lane", "form", "timer", "event", "called", "attached_to", "interrupting", "script")
FLOW_ATTRIBUTES = ("source", "target", "name", "condition")
FIELD_ATTRIBUTES = ("title", "type", "format", "required", "choices", "minimum", "maximum", "minLength", "maxLength",
                    "description", "x-widget", "x-sensitivity")


@dataclass(frozen=True)
class Detail:
    attribute: str  # "timer", "condition", "lane", "dueIn", "title" …
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Change:
    kind: str  # ADDED, REMOVED or CHANGED
    subject: str  # PROCESS, NODE, FLOW, FORM or FIELD
    element: str  # the node, flow or process id; the form file; "form file#field.path"
    label: str  # what a person calls it (the node's name, the field's title)
    process: str | None = None  # the process it is drawn in (nodes and flows)
    node_type: str | None = None  # for nodes: userTask, boundaryEvent …
    details: tuple[Detail, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "element": self.element, "label": self.label,
                "process": self.process, "node_type": self.node_type,
                "details": [{"attribute": d.attribute, "old": d.old, "new": d.new} for d in self.details]}


@dataclass(frozen=True)
class VersionDiff:
    changes: tuple[Change, ...] = ()
    #: user task id → form file, in the newer set: which diagram nodes a form change touches.
    form_users: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[str, int]:
        result = {ADDED: 0, REMOVED: 0, CHANGED: 0}
        for change in self.changes:
            result[change.kind] += 1
        return result

    def markers(self, process: ProcessModel) -> dict[str, str]:
        """Node and flow id → ADDED or CHANGED for the newer drawing of ``process`` (a user task whose
        form or fields changed counts as changed)."""
        marks = {c.element: c.kind for c in self.changes
                 if c.subject in (NODE, FLOW) and c.kind != REMOVED and c.process in process.scopes}
        touched = {c.element.split("#")[0] for c in self.changes if c.subject in (FORM, FIELD)}
        for node in process.nodes.values():
            if node.form in touched and node.id not in marks:
                marks[node.id] = CHANGED
        return marks


def _value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _details(old: Any, new: Any, attributes: tuple[str, ...], extra: dict[str, tuple[Any, Any]] | None = None
             ) -> tuple[Detail, ...]:
    found = [Detail(a, _value(getattr(old, a))
                    if not isinstance(old, dict) else _value(old.get(a)),
                    _value(getattr(new, a)) if not isinstance(new, dict) else _value(new.get(a)))
             for a in attributes]
    found += [Detail(a, _value(o), _value(n)) for a, (o, n) in (extra or {}).items()]
    return tuple(d for d in found if d.old != d.new)


def _node_changes(old: ProcessModel, new: ProcessModel) -> list[Change]:
    changes = []
    for node_id in sorted(old.nodes.keys() | new.nodes.keys()):
        before, after = old.nodes.get(node_id), new.nodes.get(node_id)
        if before is None or after is None:
            node: Node = after or before
            changes.append(Change(ADDED if before is None else REMOVED, NODE, node_id, node.label, node.process,
                                  node.type))
            continue
        props_before, props_after = dict(before.properties), dict(after.properties)
        extra = {name: (props_before.get(name), props_after.get(name)) for name in sorted(props_before | props_after)}
        details = _details(before, after, NODE_ATTRIBUTES, extra)
        if details:
            changes.append(Change(CHANGED, NODE, node_id, after.label, after.process, after.type, details))
    for flow_id in sorted(old.flows.keys() | new.flows.keys()):
        before_flow, after_flow = old.flows.get(flow_id), new.flows.get(flow_id)
        if before_flow is None or after_flow is None:
            flow: Flow = after_flow or before_flow
            changes.append(Change(ADDED if before_flow is None else REMOVED, FLOW, flow_id, flow.name or flow_id,
                                  flow.process, details=(Detail("path", None, f"{flow.source} → {flow.target}"),)))
            continue
        details = _details(before_flow, after_flow, FLOW_ATTRIBUTES)
        if details:
            changes.append(Change(CHANGED, FLOW, flow_id, after_flow.name or flow_id, after_flow.process,
                                  details=details))
    return changes


def form_fields(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A form's fields by path ("naam", "sectie.veld", "acties[].omschrijving"), with the attributes a
    diff compares (title, type, required, choices …)."""
    fields: dict[str, dict[str, Any]] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        required = {key for key in node.get("required") or [] if isinstance(key, str)} \
            if isinstance(node.get("required"), list) else set()
        properties = node.get("properties")
        for name, spec in (properties.items() if isinstance(properties, dict) else ()):
            if not isinstance(spec, dict):
                continue
            path = f"{prefix}{name}"
            if spec.get("type") == "object" and "properties" in spec:
                walk(spec, f"{path}.")
                continue
            items = spec.get("items") if spec.get("type") == "array" else None
            if isinstance(items, dict) and items.get("type") == "object" and "properties" in items:
                walk(items, f"{path}[].")
                continue
            choices = _choices(spec)
            if isinstance(items, dict):
                choices = choices or _choices(items)
            fields[path] = {**{k: spec.get(k) for k in FIELD_ATTRIBUTES if k in spec},
                            "required": name in required, "choices": choices or None}

    walk(schema, "")
    return fields


def _choices(spec: dict[str, Any]) -> list[Any]:
    enum, one_of = spec.get("enum"), spec.get("oneOf")
    if isinstance(enum, list) and enum:
        return enum
    return [c.get("const") for c in one_of if isinstance(c, dict)] if isinstance(one_of, list) else []


def _form_changes(old_files: dict[str, str], new_files: dict[str, str]) -> list[Change]:
    changes = []
    names = sorted(n for n in old_files.keys() | new_files.keys() if n.startswith("forms/") and n.endswith(".json"))
    for name in names:
        form = name.removeprefix("forms/")
        before, after = _schema(old_files.get(name)), _schema(new_files.get(name))
        if before is None or after is None:
            schema = after if after is not None else before
            changes.append(Change(ADDED if before is None else REMOVED, FORM, form, schema.get("title") or form))
            details = ()
        elif old_files[name] == new_files[name]:
            continue
        else:
            details = _details(before, after, ("title", "description"))
        fields_before, fields_after = form_fields(before or {}), form_fields(after or {})
        field_changes = []
        for path in sorted(fields_before.keys() | fields_after.keys()):
            b, a = fields_before.get(path), fields_after.get(path)
            element = f"{form}#{path}"
            if b is None or a is None:
                field_changes.append(Change(ADDED if b is None else REMOVED, FIELD, element,
                                            (a or b).get("title") or path))
            elif field_details := _details(b, a, FIELD_ATTRIBUTES):
                field_changes.append(Change(CHANGED, FIELD, element, a.get("title") or path, details=field_details))
        if before is not None and after is not None and (details or not field_changes):
            # a change the field list does not show (order, hints …) still counts
            changes.append(Change(CHANGED, FORM, form, after.get("title") or form, details=details))
        changes += field_changes
    return changes


def _schema(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        schema = json.loads(text)
    except json.JSONDecodeError:
        return {"title": "(invalid JSON)"}
    return schema if isinstance(schema, dict) else {}


def diff_files(old_files: dict[str, str], new_files: dict[str, str]) -> VersionDiff:
    """The changes from ``old_files`` to ``new_files`` (both ``{"bpmn/x.bpmn": text, "forms/y.json": text}``).

    :raises ValueError: a BPMN file is not well-formed XML.
    """
    old, new = read_processes(old_files), read_processes(new_files)
    changes: list[Change] = []
    for process_id in sorted(old.keys() | new.keys()):
        before, after = old.get(process_id), new.get(process_id)
        if before is None or after is None:
            process = after or before
            changes.append(Change(ADDED if before is None else REMOVED, PROCESS, process_id, process.label,
                                  process_id, details=(Detail("file", None, process.file),)))
            empty = ProcessModel(process_id, "", "")
            changes += _node_changes(before or empty, after or empty)
            continue
        if before.name != after.name:
            changes.append(Change(CHANGED, PROCESS, process_id, after.label, process_id,
                                  details=(Detail("name", before.name, after.name),)))
        changes += _node_changes(before, after)
    changes += _form_changes(old_files, new_files)
    form_users: dict[str, list[str]] = {}
    for process in new.values():
        for node in process.nodes.values():
            if node.form:
                form_users.setdefault(node.form, []).append(node.id)
    return VersionDiff(tuple(changes), {form: tuple(ids) for form, ids in form_users.items()})
