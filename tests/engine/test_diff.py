"""portal.engine.diff: what changed between two sets of process files, on small pairs and the real set."""

import json
from pathlib import Path

import pytest

from portal.engine.diff import ADDED, CHANGED, FIELD, FLOW, FORM, NODE, PROCESS, REMOVED, diff_files, form_fields
from portal.engine.model import read_processes
from portal.engine.parser import source_files

ROOT = Path(__file__).resolve().parents[2]

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://x">
  <bpmn:process id="p" name="Proces" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l1" name="Regisseur">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>taak</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="l2" name="{lane}"><bpmn:flowNodeRef>wacht</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="taak" />
    <bpmn:userTask id="taak" name="Taak">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="dueIn" value="{due}" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="taak" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="f_b" />
    <bpmn:sequenceFlow id="f_a" sourceRef="gw" targetRef="wacht">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_b" sourceRef="gw" targetRef="einde" />
    <bpmn:intermediateCatchEvent id="wacht" name="Drie maanden">
      <bpmn:timerEventDefinition><bpmn:timeDuration>{timer}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="wacht" targetRef="einde" />
    {extra}
    <bpmn:endEvent id="einde" />
  </bpmn:process>
</bpmn:definitions>
"""
SCHEMA = {"title": "Taak", "type": "object", "required": ["naam"],
        "properties": {"naam": {"type": "string", "title": "Naam"},
                       "keuze": {"type": "string", "title": "Keuze", "enum": ["a", "b"]}}}


def files(form=None, **values):
    text = BPMN.format(**{"lane": "Regisseur", "due": "P1W", "condition": "x == 1", "timer": '"P3M"', "extra": "",
                          **values})
    return {"bpmn/p.bpmn": text, "forms/taak.json": json.dumps(form or SCHEMA)}


def only(diff, subject=None):
    changes = [c for c in diff.changes if subject is None or c.subject == subject]
    assert len(changes) == 1, diff.changes
    return changes[0]


def test_the_same_files_have_no_changes():
    assert not diff_files(files(), files())
    assert diff_files(files(), files()).counts() == {ADDED: 0, REMOVED: 0, CHANGED: 0}


def test_an_added_task_and_its_flow_are_added_and_marked_on_the_new_diagram():
    extra = ('<bpmn:userTask id="nieuw" name="Nieuwe stap" />'
             '<bpmn:sequenceFlow id="f_nieuw" sourceRef="nieuw" targetRef="einde" />')
    diff = diff_files(files(), files(extra=extra))
    node = only(diff, NODE)
    assert (node.kind, node.element, node.label, node.node_type, node.process) == (
        ADDED, "nieuw", "Nieuwe stap", "userTask", "p")
    assert only(diff, FLOW).kind == ADDED
    process = read_processes(files(extra=extra))["p"]
    assert diff.markers(process) == {"nieuw": ADDED, "f_nieuw": ADDED}


def test_a_removed_task_is_listed_but_not_marked():
    extra = '<bpmn:userTask id="oud" name="Oude stap" />'
    diff = diff_files(files(extra=extra), files())
    node = only(diff, NODE)
    assert (node.kind, node.element) == (REMOVED, "oud")
    assert diff.markers(read_processes(files())["p"]) == {}


def test_a_changed_timer_duration_reads_old_and_new():
    change = only(diff_files(files(), files(timer='"P2M"')))
    assert (change.kind, change.subject, change.element) == (CHANGED, NODE, "wacht")
    assert [(d.attribute, d.old, d.new) for d in change.details] == [
        ("timer", 'timeDuration: "P3M"', 'timeDuration: "P2M"')]


def test_changed_condition_lane_and_due_period():
    diff = diff_files(files(), files(condition="x == 2", lane="Teamleider", due="P2W"))
    details = {(c.element, d.attribute): (d.old, d.new) for c in diff.changes for d in c.details}
    assert details == {("f_a", "condition"): ("x == 1", "x == 2"), ("wacht", "lane"): ("Regisseur", "Teamleider"),
                       ("taak", "dueIn"): ("P1W", "P2W")}


def test_a_changed_form_field_and_an_added_field_mark_the_task_as_changed():
    form = json.loads(json.dumps(SCHEMA))
    form["properties"]["keuze"]["enum"] = ["a", "b", "c"]
    form["properties"]["nieuw"] = {"type": "string", "title": "Nieuw veld"}
    form["required"] = ["naam", "nieuw"]
    diff = diff_files(files(), files(form=form))
    fields = {c.element: c for c in diff.changes if c.subject == FIELD}
    assert fields["taak.json#nieuw"].kind == ADDED
    assert fields["taak.json#keuze"].kind == CHANGED
    assert [(d.attribute, d.old, d.new) for d in fields["taak.json#keuze"].details] == [
        ("choices", '["a", "b"]', '["a", "b", "c"]')]
    assert not [c for c in diff.changes if c.subject in (NODE, FLOW)]
    assert diff.markers(read_processes(files(form=form))["p"]) == {"taak": CHANGED}


def test_form_fields_walk_sections_and_repeating_rows():
    schema = {"type": "object", "properties": {
        "sectie": {"type": "object", "title": "Sectie", "required": ["a"], "properties": {"a": {"type": "string"}}},
        "acties": {"type": "array", "items": {"type": "object", "properties": {"wat": {"type": "string"}}}},
        "tags": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}},
    }}
    fields = form_fields(schema)
    assert set(fields) == {"sectie.a", "acties[].wat", "tags"}
    assert fields["sectie.a"]["required"] is True and fields["tags"]["choices"] == ["x", "y"]


def test_an_added_process_and_form_file():
    new = files()
    new["bpmn/q.bpmn"] = BPMN.replace('id="p" name="Proces"', 'id="q" name="Ander proces"').format(
        lane="Regisseur", due="P1W", condition="x", timer='"P1D"', extra="")
    new["forms/ander.json"] = json.dumps({"title": "Ander formulier", "type": "object", "properties": {}})
    diff = diff_files(files(), new)
    assert [(c.kind, c.subject, c.element) for c in diff.changes if c.subject in (PROCESS, FORM)] == [
        (ADDED, PROCESS, "q"), (ADDED, FORM, "ander.json")]
    assert all(c.kind == ADDED for c in diff.changes)


def test_an_added_form_lists_its_fields_and_a_removed_form_lists_what_it_asked():
    new = files()
    new["forms/ander.json"] = json.dumps({"title": "Ander formulier", "type": "object", "required": ["datum"],
                                          "properties": {"datum": {"type": "string", "title": "Datum"},
                                                         "rij": {"type": "array", "items": {"type": "object",
                                                                 "properties": {"wat": {"type": "string"}}}}}})
    added = [(c.kind, c.subject, c.element, c.label) for c in diff_files(files(), new).changes
             if c.subject in (FORM, FIELD)]
    assert added == [(ADDED, FORM, "ander.json", "Ander formulier"), (ADDED, FIELD, "ander.json#datum", "Datum"),
                     (ADDED, FIELD, "ander.json#rij[].wat", "rij[].wat")]
    removed = diff_files(new, files())
    assert [(c.kind, c.element) for c in removed.changes if c.subject in (FORM, FIELD)] == [
        (REMOVED, "ander.json"), (REMOVED, "ander.json#datum"), (REMOVED, "ander.json#rij[].wat")]


def test_malformed_xml_is_a_value_error():
    with pytest.raises(ValueError, match="p.bpmn"):
        diff_files(files(), {"bpmn/p.bpmn": "<bpmn:definitions"})


def test_the_real_workflows_read_completely_and_diff_against_a_changed_copy():
    real = source_files(ROOT / "workflows")
    processes = read_processes(real)
    assert {"inburgering", "brede_intake", "pip", "voortgang", "handhaving"} <= processes.keys()
    user_tasks = [n for p in processes.values() for n in p.nodes.values() if n.type == "userTask"]
    assert len(user_tasks) == sum(text.count("<bpmn:userTask") for name, text in real.items() if name.endswith(".bpmn"))
    assert all(n.lane for n in user_tasks) and all(f"forms/{n.form}" in real for n in user_tasks)
    assert processes["inburgering"].nodes["pip_uitvoeren"].called == "pip"
    assert "uitgebreide_intake" in processes["brede_intake"].subprocesses
    assert not diff_files(real, real)

    changed = dict(real)
    pip = changed["bpmn/pip.bpmn"]
    changed["bpmn/pip.bpmn"] = pip.replace('name="dueIn" value="P3W"', 'name="dueIn" value="P4W"', 1)
    schema = json.loads(changed["forms/mdo.json"])
    schema["properties"].pop(next(iter(schema["properties"])))
    changed["forms/mdo.json"] = json.dumps(schema)
    diff = diff_files(real, changed)
    assert {(c.kind, c.subject) for c in diff.changes} == {(CHANGED, NODE), (REMOVED, FIELD)}
    assert only(diff, NODE).details[0].attribute == "dueIn"
