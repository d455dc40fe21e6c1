"""Check BPMN files and their forms before they are deployed (and in CI).

Every message reads ``file:line [process/element] what is wrong and how to fix it`` so a process
designer can jump straight to the spot in the XML.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from portal.dates import parse_duration
from portal.engine.forms import FormSchemaError, form_spec_from_schema
from portal.engine.parser import ACTION_PROPERTY, DUE_PROPERTY, FORM_PROPERTY, make_parser
from portal.engine.rules import ScriptError, compile_expression, compile_script

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
CONDITIONAL_GATEWAYS = {"exclusiveGateway", "inclusiveGateway"}

#: Every place in a process where the engine runs code, as (XPath, "exec" or "eval", what to call it).
#: Timer expressions are checked by ``lint_timer`` (literal timers are parsed as ISO 8601 too).
CODE_IN_PROCESS = (
    (".//bpmn:scriptTask/bpmn:script", "exec", "script"),
    (".//bpmn:extensionElements/spiffworkflow:preScript", "exec", "preScript"),
    (".//bpmn:extensionElements/spiffworkflow:postScript", "exec", "postScript"),
    (".//bpmn:sequenceFlow/bpmn:conditionExpression", "eval", "condition"),
    (".//bpmn:conditionalEventDefinition/bpmn:condition", "eval", "condition"),
    (".//bpmn:multiInstanceLoopCharacteristics/bpmn:loopCardinality", "eval", "loopCardinality"),
    (".//bpmn:completionCondition", "eval", "completionCondition"),
    (".//bpmn:standardLoopCharacteristics/bpmn:loopCondition", "eval", "loopCondition"),
    (".//spiffworkflow:messagePayload", "eval", "messagePayload"),
    (".//spiffworkflow:processVariableCorrelation/spiffworkflow:expression", "eval", "correlation expression"),
    (".//spiffworkflow:serviceTaskOperator//spiffworkflow:parameter/@value", "eval", "service task parameter"),
)
#: The same outside processes: payloads of signals, errors and escalations, message correlations.
CODE_IN_DEFINITIONS = (
    ("./*/bpmn:extensionElements/spiffworkflow:payloadExpression", "eval", "payloadExpression"),
    (".//bpmn:correlationPropertyRetrievalExpression/bpmn:formalExpression", "eval", "correlation expression"),
)


@dataclass(frozen=True, order=True)
class LintMessage:
    file: str
    line: int
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} [{self.where}] {self.message}"


def _local(element) -> str:
    return etree.QName(element).localname


def _properties(element) -> dict[str, str]:
    return {
        prop.get("name"): prop.get("value")
        for prop in element.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property",
                                  namespaces=NS)
    }


class _FileLinter:
    def __init__(self, name: str, tree, forms_dir: Path, known_lanes: set[str], out: list[LintMessage],
                 require_diagram: bool = True, known_actions: set[str] | None = None):
        self.name, self.tree, self.forms_dir, self.known_lanes, self.out = name, tree, forms_dir, known_lanes, out
        self.require_diagram = require_diagram
        self.known_actions = known_actions

    def add(self, element, where: str, message: str, line_offset: int = 0) -> None:
        line = (element.sourceline or 0) + line_offset if element is not None else 0
        self.out.append(LintMessage(self.name, line, where, message))

    def run(self) -> None:
        root = self.tree.getroot()
        if self.require_diagram and not root.xpath("./bpmndi:BPMNDiagram", namespaces=NS):
            self.add(root, "definitions", "the file has no diagram layout (BPMNDI); open and save it in "
                                          "bpmn.io or Camunda Modeler so it can be drawn")
        for process in root.xpath("./bpmn:process", namespaces=NS):
            self.lint_process(process)
        self.lint_code(root, "definitions", CODE_IN_DEFINITIONS)

    def lint_process(self, process) -> None:
        pid = process.get("id")
        nodes = {el.get("id"): el for el in process.iter() if el.get("id") and _local(el) not in
                 {"sequenceFlow", "lane", "laneSet", "process"}}
        flows = process.xpath(".//bpmn:sequenceFlow", namespaces=NS)
        incoming: Counter[str] = Counter(flow.get("targetRef") for flow in flows)
        outgoing: dict[str, list] = {}
        for flow in flows:
            outgoing.setdefault(flow.get("sourceRef"), []).append(flow)

        lanes = process.xpath(".//bpmn:lane", namespaces=NS)
        in_lane: set[str] = set()
        for lane in lanes:
            if lane.get("name") not in self.known_lanes:
                self.add(lane, f"{pid}/{lane.get('id')}",
                         f"unknown lane {lane.get('name')!r}; lanes are portal roles, use one of "
                         f"{', '.join(sorted(self.known_lanes))}")
            in_lane.update(ref.text.strip() for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS) if ref.text)

        for node_id, node in nodes.items():
            kind, where = _local(node), f"{pid}/{node_id}"
            if kind == "userTask":
                self.lint_user_task(node, where, bool(lanes), node_id in in_lane)
            if kind == "scriptTask" and not "".join(node.xpath("./bpmn:script/text()", namespaces=NS)).strip():
                self.add(node, where, "script task has no script")
            if kind in CONDITIONAL_GATEWAYS and len(outgoing.get(node_id, [])) > 1:
                default = node.get("default")
                for flow in outgoing[node_id]:
                    has_condition = flow.find("bpmn:conditionExpression", NS) is not None
                    if not has_condition and flow.get("id") != default:
                        self.add(flow, f"{pid}/{flow.get('id')}",
                                 f"flow out of gateway {node_id} has no condition; add a conditionExpression "
                                 "or make it the gateway's default flow")
            if (kind not in GATEWAYS and kind not in {"endEvent", "boundaryEvent"}
                    and incoming[node_id] > 1):
                self.add(node, where, f"{incoming[node_id]} flows enter this {kind}; merge them or loop back "
                                      "through a gateway first")
            for timer in node.xpath("./bpmn:timerEventDefinition/*", namespaces=NS):
                self.lint_timer(timer, where)
        self.lint_code(process, pid, CODE_IN_PROCESS)

    def lint_user_task(self, node, where: str, process_has_lanes: bool, in_lane: bool) -> None:
        if not in_lane:
            self.add(node, where, "user task is not in a lane; put it in the lane of the role that does it"
                     if process_has_lanes else
                     "process has no lanes; draw lanes named after the roles (e.g. Regisseur)")
        props = _properties(node)
        form_file = props.get(FORM_PROPERTY) or f"{node.get('id')}.json"
        path = self.forms_dir / form_file
        if not path.is_file():
            self.add(node, where, f"no form: create workflows/forms/{form_file} (a JSON Schema) for this user task")
        else:
            try:
                form_spec_from_schema(node.get("id"), json.loads(path.read_text(encoding="utf-8")))
            except json.JSONDecodeError as exc:
                self.add(node, where, f"form {form_file} is not valid JSON (line {exc.lineno}: {exc.msg})")
            except FormSchemaError as exc:
                self.add(node, where, f"form {form_file}: {exc}")
        action = props.get(ACTION_PROPERTY)
        if action is not None and self.known_actions is not None and action not in self.known_actions:
            known = ", ".join(sorted(self.known_actions))
            self.add(node, where, f"unknown portalAction {action!r}; use one of {known}")
        due = props.get(DUE_PROPERTY)
        if due is not None:
            try:
                parse_duration(due)
            except ValueError as exc:
                self.add(node, where, f"dueIn: {exc}")

    def lint_code(self, scope, prefix: str, places) -> None:
        """Check every piece of code under ``scope`` with the engine's own rules (:mod:`portal.engine.rules`)."""
        for path, mode, label in places:
            for found in scope.xpath(path, namespaces=NS):
                is_attribute = isinstance(found, str)
                element = found.getparent() if is_attribute else found
                owner = element if element.get("id") else next(
                    (e for e in element.iterancestors() if e.get("id")), element)
                text = str(found) if is_attribute else (found.text or "")
                self.lint_source(element, f"{prefix}/{owner.get('id')}", label, text, mode)

    def lint_source(self, element, where: str, label: str, text: str, mode: str) -> None:
        if not text.strip():
            if mode == "exec":
                return  # an empty script does nothing (an empty script task is reported on its own)
            self.add(element, where, f"{label} is empty; write an expression")
            return
        try:
            compile_script(text) if mode == "exec" else compile_expression(text)
        except ScriptError as exc:
            for line, problem in exc.problems:
                if exc.syntax:
                    message = (f"{label} syntax error on its line {line}: {problem}" if mode == "exec" else
                               f"{label} is not a valid Python expression: {problem}")
                else:
                    message = f"{label} not allowed in the sandbox" + (f" (its line {line})" if mode == "exec" else "")
                    message += f": {problem}"
                self.add(element, where, message, line_offset=line - 1 if mode == "exec" else 0)

    def lint_timer(self, timer, where: str) -> None:
        text = (timer.text or "").strip()
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError:
            hint = ' (quote literal timers, e.g. "P3M")' if text[:1] in "PR" or text[:1].isdigit() else ""
            self.add(timer, where, f"{_local(timer)} {text!r} is not an expression{hint}")
            return
        if isinstance(tree.body, ast.Constant) and isinstance(tree.body.value, str):
            literal = tree.body.value
            if _local(timer) == "timeDuration":
                try:
                    parse_duration(literal)  # the timer counts with portal.dates (engine.timers)
                except ValueError as exc:
                    self.add(timer, where, f"timeDuration: {exc}")
                return
            try:
                if _local(timer) == "timeDate":
                    datetime.fromisoformat(literal)
                else:
                    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

                    TimerEventDefinition.parse_iso_recurring_interval(literal)
            except Exception:
                self.add(timer, where, f"timer {literal!r} is not a valid ISO-8601 {_local(timer)}")
        elif isinstance(tree.body, ast.Name) and tree.body.id.startswith("P"):
            self.add(timer, where, f'timer {text} looks like a duration; quote it: "{text}"')
        else:
            self.lint_source(timer, where, _local(timer), text, "eval")


def lint_workflows(workflows_dir: Path, paths: list[Path] | None = None,
                   known_lanes: set[str] | None = None, require_diagram: bool = True,
                   known_actions: set[str] | None = None,
                   required: Iterable[tuple[str, str, str]] = ()) -> list[LintMessage]:
    """Lint the BPMN files under ``workflows_dir`` (or just ``paths``) and the forms they use.

    :param required: ``(kind, id, used_by)`` of elements the portal's code relies on (kind ``userTask``,
        ``process`` or ``signal`` by name); checked when the whole set is linted (``paths`` empty).
    """
    from portal.security import LANE_ROLES

    known_lanes = known_lanes if known_lanes is not None else set(LANE_ROLES)
    bpmn_files = paths or sorted((workflows_dir / "bpmn").glob("*.bpmn"))
    forms_dir = workflows_dir / "forms"
    out: list[LintMessage] = []
    parser = make_parser(validate=False)
    user_task_ids: dict[str, str] = {}
    present: set[tuple[str, str]] = set()
    for path in bpmn_files:
        name = _display_name(path, workflows_dir)
        try:
            tree = etree.parse(str(path))
        except etree.XMLSyntaxError as exc:
            out.append(LintMessage(name, exc.lineno or 0, "xml", f"not well-formed XML: {exc.msg}"))
            continue
        validator = VALIDATOR.validator
        if not validator.validate(tree):
            for error in validator.error_log:
                out.append(LintMessage(name, error.line, "xsd", f"does not match the BPMN schema: {error.message}"))
            continue
        _FileLinter(name, tree, forms_dir, known_lanes, out, require_diagram, known_actions).run()
        root = tree.getroot()
        present.update(("process", e.get("id")) for e in root.xpath(".//bpmn:process", namespaces=NS))
        present.update(("signal", e.get("name")) for e in root.xpath(".//bpmn:signal", namespaces=NS))
        for task in root.xpath(".//bpmn:userTask", namespaces=NS):
            present.add(("userTask", task.get("id")))
            other = user_task_ids.setdefault(task.get("id"), name)
            if other != name:
                out.append(LintMessage(name, task.sourceline, task.get("id"),
                                       f"user task id also used in {other}; task ids must be unique"))
        try:
            parser.add_bpmn_xml(tree, filename=name)
        except ValidationException as exc:
            out.append(LintMessage(name, exc.line_number or 0, exc.id or "parse", str(exc).splitlines()[0]))
    if not paths:
        for kind, element_id, used_by in sorted(required):
            if (kind, element_id) not in present:
                out.append(LintMessage("workflows/bpmn", 0, f"{kind}/{element_id}",
                                       f"{used_by} relies on {kind} '{element_id}', which no diagram has: "
                                       "restore it (same id) or change that code first"))
    if not out:
        for process_id in parser.get_process_ids():
            try:
                parser.get_spec(process_id)
            except ValidationException as exc:
                out.append(LintMessage(exc.file_name or "?", exc.line_number or 0, f"{process_id}/{exc.id or ''}",
                                       str(exc).splitlines()[0]))
    return sorted(set(out))


def _display_name(path: Path, workflows_dir: Path) -> str:
    try:
        return path.resolve().relative_to(workflows_dir.resolve().parent).as_posix()
    except ValueError:
        return str(path)
