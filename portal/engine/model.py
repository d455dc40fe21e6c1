"""Read BPMN files as the process designer drew them: processes, nodes and flows as plain dataclasses.

Used to draw, describe and diff process versions (:mod:`portal.engine.diff`). It reads the XML
itself, not SpiffWorkflow's specs: what matters here is what the designer sees (names, lanes,
properties, timer and condition expressions), including nodes the engine would never reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lxml import etree

from portal.engine.parser import ACTION_PROPERTY, CONTEXT_PROPERTY, DUE_PROPERTY, FORM_PROPERTY

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_B = f"{{{BPMN_NS}}}"
_S = f"{{{SPIFF_NS}}}"

#: Element types that are nodes of a process (flow nodes); everything else is structure or detail.
NODE_TYPES = frozenset({
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask", "businessRuleTask",
    "callActivity", "subProcess", "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
})
#: The portal reads these properties (spiffworkflow:property); a diff reports their changes.
PORTAL_PROPERTIES = (FORM_PROPERTY, DUE_PROPERTY, ACTION_PROPERTY, CONTEXT_PROPERTY)
WAIT_TYPES = frozenset({"userTask", "intermediateCatchEvent", "receiveTask", "manualTask"})


@dataclass(frozen=True)
class Node:
    id: str
    type: str  # the BPMN element name: userTask, exclusiveGateway …
    name: str
    process: str  # the (sub)process the node is drawn in
    lane: str | None = None
    form: str | None = None  # a user task's form file
    properties: tuple[tuple[str, str], ...] = ()  # portal properties (dueIn, portalAction, showSteps)
    timer: str | None = None  # "timeDuration: P3M", "timeDate: moment(x)" …
    event: str | None = None  # signal or message name, "terminate", "error" …
    called: str | None = None  # a call activity's calledElement
    attached_to: str | None = None  # a boundary event's activity
    interrupting: bool | None = None  # a boundary event's cancelActivity
    script: str | None = None  # a script task's script (and pre/post scripts)

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Flow:
    id: str
    process: str
    source: str
    target: str
    name: str = ""
    condition: str | None = None


@dataclass(frozen=True)
class ProcessModel:
    """One process (a file's ``bpmn:process``), with the nodes of its embedded subprocesses too."""

    id: str
    name: str
    file: str
    nodes: dict[str, Node] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    #: ids of the embedded subprocesses: their tasks run under their own process id in the engine.
    subprocesses: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def scopes(self) -> frozenset[str]:
        """Process ids the engine reports for tasks drawn in this file (the process and its subprocesses)."""
        return frozenset({self.id, *self.subprocesses})


def _text(element) -> str:
    return " ".join((element.text or "").split())


def _properties(element) -> dict[str, str]:
    path = f"{_B}extensionElements/{_S}properties/{_S}property"
    return {p.get("name"): p.get("value") or "" for p in element.iterfind(path)}


def _timer(element) -> str | None:
    definition = element.find(f"{_B}timerEventDefinition")
    if definition is None:
        return None
    for kind in ("timeDuration", "timeDate", "timeCycle"):
        expression = definition.find(f"{_B}{kind}")
        if expression is not None:
            return f"{kind}: {_text(expression)}"
    return "timer"


def _event(element) -> str | None:
    for child in element:
        tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if tag.endswith("EventDefinition") and tag != "timerEventDefinition":
            kind = tag.removesuffix("EventDefinition")
            ref = next((child.get(a) for a in ("signalRef", "messageRef", "errorRef", "escalationRef") if child.get(a)),
                       None)
            return f"{kind}: {ref}" if ref else kind
    return None


def _script(element) -> str | None:
    parts = []
    script = element.find(f"{_B}script")
    if script is not None and script.text:
        parts.append(script.text.strip())
    for kind in ("preScript", "postScript"):
        extra = element.find(f"{_B}extensionElements/{_S}{kind}")
        if extra is not None and extra.text and extra.text.strip():
            parts.append(f"{kind}: {extra.text.strip()}")
    return "\n".join(parts) or None


def _node(element, kind: str, process: str, lanes: dict[str, str]) -> Node:
    properties = _properties(element)
    portal = tuple((name, properties[name]) for name in PORTAL_PROPERTIES
                   if name in properties and name != FORM_PROPERTY)
    node_id = element.get("id")
    form = (properties.get(FORM_PROPERTY) or f"{node_id}.json") if kind == "userTask" else None
    cancel = element.get("cancelActivity")
    return Node(
        id=node_id, type=kind, name=" ".join((element.get("name") or "").split()), process=process,
        lane=lanes.get(node_id), form=form, properties=portal, timer=_timer(element), event=_event(element),
        called=element.get("calledElement"), attached_to=element.get("attachedToRef"),
        interrupting=(cancel != "false") if kind == "boundaryEvent" else None, script=_script(element),
    )


def _lanes(process) -> dict[str, str]:
    lanes = {}
    for lane in process.iter(f"{_B}lane"):
        for ref in lane.iterfind(f"{_B}flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    return lanes


def _walk(container, process_id: str, lanes: dict[str, str], model: ProcessModel, subprocesses: list[str],
          inherited_lane: str | None = None) -> None:
    for element in container:
        if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN_NS:
            continue
        kind = etree.QName(element).localname
        if kind == "sequenceFlow":
            condition = element.find(f"{_B}conditionExpression")
            model.flows[element.get("id")] = Flow(
                id=element.get("id"), process=process_id, source=element.get("sourceRef"),
                target=element.get("targetRef"), name=" ".join((element.get("name") or "").split()),
                condition=_text(condition) if condition is not None else None)
        elif kind in NODE_TYPES:
            node = _node(element, kind, process_id, lanes)
            if node.lane is None and inherited_lane:
                node = replace(node, lane=inherited_lane)
            model.nodes[node.id] = node
            if kind == "subProcess":
                subprocesses.append(node.id)
                _walk(element, node.id, lanes, model, subprocesses, node.lane)


def read_processes(files: dict[str, str]) -> dict[str, ProcessModel]:
    """Every process in the ``*.bpmn`` files of ``files`` (path → text), by process id.

    :raises ValueError: a file is not well-formed XML.
    """
    processes: dict[str, ProcessModel] = {}
    for name in sorted(files):
        if not name.endswith(".bpmn"):
            continue
        try:
            root = etree.fromstring(files[name].encode("utf-8"), parser=etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError as exc:
            raise ValueError(f"{name}: {exc}") from exc
        for element in root.iterfind(f"{_B}process"):
            model = ProcessModel(id=element.get("id"), name=" ".join((element.get("name") or "").split()), file=name)
            subprocesses: list[str] = []
            _walk(element, model.id, _lanes(element), model, subprocesses)
            processes[model.id] = ProcessModel(model.id, model.name, model.file, model.nodes, model.flows,
                                               tuple(subprocesses))
    return processes
