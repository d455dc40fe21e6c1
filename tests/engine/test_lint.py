"""`portal bpmn lint`: a clean model passes; each kind of broken model fails with file:line [where]."""

import json
import re
from pathlib import Path

import pytest

from portal.engine import lint_workflows

ROOT = Path(__file__).resolve().parents[2]

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l1" name="{lane}">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>taak</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>gw</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>script</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>einde</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>timer</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="taak" />
    <bpmn:userTask id="taak" name="Taak" />
    <bpmn:boundaryEvent id="timer" attachedToRef="taak" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>{timer}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_t" sourceRef="timer" targetRef="einde" />
    <bpmn:sequenceFlow id="f2" sourceRef="taak" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="f_b" />
    <bpmn:sequenceFlow id="f_a" sourceRef="gw" targetRef="script">{condition}</bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_b" sourceRef="gw" targetRef="einde" />
    <bpmn:scriptTask id="script"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="script" targetRef="einde" />
    <bpmn:endEvent id="einde" />
  </bpmn:process>
</bpmn:definitions>
"""
GOOD = {"lane": "Regisseur", "timer": '"P3M"', "script": "x = today()",
        "condition": '<bpmn:conditionExpression>taak["a"] == 1</bpmn:conditionExpression>'}


def write(tmp_path: Path, form: bool = True, **changes) -> Path:
    (tmp_path / "bpmn").mkdir(exist_ok=True)
    (tmp_path / "forms").mkdir(exist_ok=True)
    (tmp_path / "bpmn" / "p.bpmn").write_text(TEMPLATE.format(**{**GOOD, **changes}))
    if form:
        (tmp_path / "forms" / "taak.json").write_text(json.dumps(
            {"type": "object", "properties": {"a": {"type": "integer", "title": "A"}}}))
    return tmp_path


def messages(tmp_path, **kw):
    return [str(m) for m in lint_workflows(tmp_path, require_diagram=False, **kw)]


def test_clean_model_passes(tmp_path):
    assert messages(write(tmp_path)) == []


def test_project_workflows_pass():
    assert [str(m) for m in lint_workflows(ROOT / "workflows")] == []


MESSAGE = re.compile(r"^\S+\.bpmn:\d+ \[[^\]]+\] .+")


@pytest.mark.parametrize(("changes", "expected"), [
    ({"timer": "P3M"}, 'quote it: "P3M"'),
    ({"timer": '"P3X"'}, "is not an ISO 8601 duration such as P3M"),
    ({"timer": '"P36H"'}, "timeDuration: 'P36H' is not an ISO 8601 duration such as P3M, P2W, P10D, P1Y6M or PT36H: "
                          "hours, minutes and seconds come after a T (PT36H)"),
    ({"script": "x = = 1"}, "script syntax error"),
    ({"script": "import os"}, "imports are not allowed"),
    ({"script": "y = ().__class__"}, "not allowed in the sandbox"),
    ({"condition": ""}, "has no condition"),
    ({"condition": "<bpmn:conditionExpression>taak[</bpmn:conditionExpression>"}, "not a valid Python expression"),
    ({"lane": "Koffiejuffrouw"}, "unknown lane 'Koffiejuffrouw'"),
])
def test_broken_models_are_reported(tmp_path, changes, expected):
    found = messages(write(tmp_path, **changes))
    if expected is None:
        return
    assert any(expected in m for m in found), found
    assert all(MESSAGE.match(m) for m in found), found


def test_due_in_must_be_a_duration(tmp_path):
    write(tmp_path)
    bpmn = tmp_path / "bpmn" / "p.bpmn"
    bpmn.write_text(bpmn.read_text().replace(
        '<bpmn:userTask id="taak" name="Taak" />',
        '<bpmn:userTask id="taak" name="Taak"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="dueIn" value="P1.5M" /></spiffworkflow:properties>'
        '</bpmn:extensionElements></bpmn:userTask>'))
    [message] = messages(tmp_path)
    assert "[p/taak] dueIn: 'P1.5M' is not an ISO 8601 duration" in message and "whole numbers" in message


def test_user_task_without_form(tmp_path):
    found = messages(write(tmp_path, form=False))
    assert any("[p/taak] no form: create workflows/forms/taak.json" in m for m in found), found


def test_message_points_at_the_line(tmp_path):
    [message] = messages(write(tmp_path, lane="Onbekend"))
    # the path is relative to the folder that holds workflows/ (here: tmp_path)
    assert message.startswith(f"{tmp_path.name}/bpmn/p.bpmn:6 [p/l1] unknown lane 'Onbekend'; lanes are portal roles")


def test_merge_without_gateway(tmp_path):
    broken = TEMPLATE.replace('<bpmn:sequenceFlow id="f_b" sourceRef="gw" targetRef="einde" />',
                              '<bpmn:sequenceFlow id="f_b" sourceRef="gw" targetRef="script" />')
    (tmp_path / "bpmn").mkdir()
    (tmp_path / "forms").mkdir()
    (tmp_path / "bpmn" / "p.bpmn").write_text(broken.format(**GOOD))
    (tmp_path / "forms" / "taak.json").write_text('{"type": "object", "properties": {}}')
    found = messages(tmp_path)
    assert any("[p/script] 2 flows enter this scriptTask" in m for m in found), found


def test_not_well_formed_xml(tmp_path):
    (tmp_path / "bpmn").mkdir()
    (tmp_path / "bpmn" / "p.bpmn").write_text("<bpmn:definitions")
    [message] = messages(tmp_path)
    assert "not well-formed XML" in message


def test_missing_diagram_is_reported(tmp_path):
    found = [str(m) for m in lint_workflows(write(tmp_path))]
    assert any("no diagram layout (BPMNDI)" in m for m in found)


@pytest.mark.parametrize(("date_schema", "expected"), [
    ({"x-notBefore": "5 years"}, "x-notBefore must be a signed ISO 8601 duration"),
    ({"x-notAfter": "PT3H"}, "leave out the time part"),
    ({"x-notBefore": "P1D", "x-notAfter": "-P1D"}, "x-notBefore lies after x-notAfter"),
])
def test_date_window_keywords_are_checked(tmp_path, date_schema, expected):
    write(tmp_path)
    (tmp_path / "forms" / "taak.json").write_text(json.dumps({"type": "object", "properties": {
        "d": {"type": "string", "format": "date", "title": "D", **date_schema}}}))
    [message] = messages(tmp_path)
    assert "form taak.json" in message and expected in message, message


def test_a_date_window_only_fits_a_date(tmp_path):
    write(tmp_path)
    (tmp_path / "forms" / "taak.json").write_text(json.dumps({"type": "object", "properties": {
        "n": {"type": "integer", "title": "N", "x-notAfter": "P0D"}}}))
    [message] = messages(tmp_path)
    assert "x-notAfter only applies to a date" in message
