"""`portal bpmn lint` checks every place the engine runs code, with the engine's own rules."""

import re
from pathlib import Path

import pytest

from portal.engine import lint_workflows
from portal.engine.rules import ScriptError, compile_expression, compile_script

ROOT = Path(__file__).resolve().parents[2]

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://x">
  <bpmn:signal id="sig" name="verder">
    <bpmn:extensionElements><spiffworkflow:payloadExpression>{payload}</spiffworkflow:payloadExpression>
    </bpmn:extensionElements>
  </bpmn:signal>
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="f_b" />
    <bpmn:sequenceFlow id="f_a" sourceRef="gw" targetRef="script">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_b" sourceRef="gw" targetRef="wacht" />
    <bpmn:scriptTask id="script">
      <bpmn:extensionElements>
        <spiffworkflow:preScript>{pre}</spiffworkflow:preScript>
        <spiffworkflow:postScript>{post}</spiffworkflow:postScript>
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>
        <bpmn:completionCondition>{completion}</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="script" targetRef="einde" />
    <bpmn:intermediateCatchEvent id="wacht">
      <bpmn:timerEventDefinition><bpmn:timeDate>{timer}</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="wacht" targetRef="einde2" />
    <bpmn:endEvent id="einde" />
    <bpmn:endEvent id="einde2" />
  </bpmn:process>
</bpmn:definitions>
"""
GOOD = {"condition": 'a == 1', "pre": "b = 1", "post": "c = b + 1", "cardinality": "3", "completion": "c > 2",
        "script": "x = today()", "timer": "moment(add_days(today(), 1))", "payload": "{'x': x}"}

#: Where code lives → (the element a message names, what the message calls it).
PLACES = {
    "script": ("p/script", "script"),
    "pre": ("p/script", "preScript"),
    "post": ("p/script", "postScript"),
    "condition": ("p/f_a", "condition"),
    "cardinality": ("p/script", "loopCardinality"),
    "completion": ("p/script", "completionCondition"),
    "timer": ("p/wacht", "timeDate"),
    "payload": ("definitions/sig", "payloadExpression"),
}
SCRIPTS = {"script", "pre", "post"}

FORBIDDEN = [
    "import os",
    "open('x')",
    "getattr(x, 'y')",
    "globals()",
    "type(x)",
    "class A: pass",
    "__import__('os')",
    "x.__class__",
    "().__class__.__bases__",
    "eval('1')",
    "lambda: 1",
    "while True: pass",
    "x.format(1)",
    "vars()",
    "breakpoint()",
    "x.y = 1",
]


def lint(tmp_path: Path, **changes) -> list[str]:
    (tmp_path / "bpmn").mkdir(exist_ok=True)
    (tmp_path / "forms").mkdir(exist_ok=True)
    (tmp_path / "bpmn" / "p.bpmn").write_text(TEMPLATE.format(**{**GOOD, **changes}))
    return [str(m) for m in lint_workflows(tmp_path, require_diagram=False)]


def test_the_template_is_clean(tmp_path):
    assert lint(tmp_path) == []


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("code", FORBIDDEN)
def test_forbidden_code_is_refused_wherever_the_engine_runs_code(tmp_path, place, code):
    where, label = PLACES[place]
    found = lint(tmp_path, **{place: code})
    assert any(re.match(rf"^\S+/bpmn/p\.bpmn:\d+ \[{where}\] {label}\b", m) for m in found), found


@pytest.mark.parametrize("code", FORBIDDEN)
def test_the_engine_refuses_the_same(code):
    with pytest.raises(ScriptError):
        compile_script(code)
    with pytest.raises(ScriptError):
        compile_expression(code)


def test_a_message_points_at_the_line_of_the_script(tmp_path):
    [message] = lint(tmp_path, script="x = 1\ny = 2\nimport os")
    line_of_script = TEMPLATE.split("\n").index("      <bpmn:script>{script}</bpmn:script>") + 1
    assert message.endswith("[p/script] script not allowed in the sandbox (its line 3): imports are not allowed; "
                            "the date helpers are available without import")
    assert f"p.bpmn:{line_of_script + 2} " in message


def test_what_designers_write_is_allowed():
    compile_script("n = 0\nfor actie in plan['acties']:\n    if actie.get('status') == 'klaar':\n        n += 1\n"
                   "    else:\n        continue\nnamen = ', '.join(sorted([a['naam'] for a in plan['acties']]))\n"
                   "klaar = n >= len(plan['acties']) // 2 and not plan.get('gestopt')\nlabel = f'{n:>3} acties'")
    compile_expression('moment(add_duration(case["koppeling_datum"], termijnen["intake_start"]))')


def test_every_shipped_diagram_still_lints_clean():
    assert [str(m) for m in lint_workflows(ROOT / "workflows")] == []
