"""What a diagram page shows next to the canvas: every node with its type, lane, form title and count.

The same rows are the canvas's text alternative (the drawing is not accessible to a screen reader).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.designer.services import StepCount, cases_in_scopes
from portal.engine.model import ProcessModel

NODE_TYPE_LABELS = {
    "startEvent": _l("Startgebeurtenis"), "endEvent": _l("Eindgebeurtenis"),
    "intermediateCatchEvent": _l("Wachtmoment"), "intermediateThrowEvent": _l("Tussengebeurtenis"),
    "boundaryEvent": _l("Randgebeurtenis"), "userTask": _l("Gebruikerstaak"), "scriptTask": _l("Scripttaak"),
    "serviceTask": _l("Servicetaak"), "manualTask": _l("Handmatige taak"), "task": _l("Taak"),
    "sendTask": _l("Verzendtaak"), "receiveTask": _l("Ontvangsttaak"), "businessRuleTask": _l("Beslistaak"),
    "callActivity": _l("Deelproces (aanroep)"), "subProcess": _l("Deelproces"),
    "exclusiveGateway": _l("Keuze (exclusief)"), "parallelGateway": _l("Splitsing (parallel)"),
    "inclusiveGateway": _l("Keuze (inclusief)"), "eventBasedGateway": _l("Keuze op gebeurtenis"),
}


@dataclass(frozen=True)
class NodeRow:
    id: str
    name: str
    type: str
    type_label: str
    lane: str | None
    form_title: str | None
    count: int
    detail: str | None  # timer, signal or called process
    called: str | None


def form_titles(files: dict[str, str]) -> dict[str, str]:
    titles = {}
    for name, text in files.items():
        if name.startswith("forms/") and name.endswith(".json"):
            try:
                schema = json.loads(text)
            except json.JSONDecodeError:
                continue
            if isinstance(schema, dict) and isinstance(schema.get("title"), str):
                titles[name.removeprefix("forms/")] = schema["title"]
    return titles


def node_counts(process: ProcessModel, processes: dict[str, ProcessModel], version_id: int,
                steps: list[StepCount]) -> dict[str, int]:
    """Cases waiting at each node of ``process`` now; a call activity or subprocess counts the cases inside it."""
    counts: dict[str, int] = {}
    for step in steps:
        if step.process_id in process.scopes and step.bpmn_id in process.nodes:
            counts[step.bpmn_id] = counts.get(step.bpmn_id, 0) + step.count
    scopes = {}
    for node in process.nodes.values():
        if node.type == "callActivity" and node.called in processes:
            scopes[node.id] = processes[node.called].scopes
        elif node.type == "subProcess":
            scopes[node.id] = frozenset({node.id})
    counts.update({node: n for node, n in cases_in_scopes(version_id, scopes).items() if n})
    return counts


def node_rows(process: ProcessModel, files: dict[str, str], counts: dict[str, int]) -> list[NodeRow]:
    titles = form_titles(files)
    rows = []
    for node in process.nodes.values():
        detail = node.timer or node.event or node.called
        rows.append(NodeRow(id=node.id, name=node.label, type=node.type,
                            type_label=str(NODE_TYPE_LABELS.get(node.type, node.type)), lane=node.lane,
                            form_title=titles.get(node.form) if node.form else None, count=counts.get(node.id, 0),
                            detail=detail, called=node.called))
    return rows
