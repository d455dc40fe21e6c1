"""Diagram ids the code relies on are declared by their room, and lint fails when a diagram loses one."""

from __future__ import annotations

import shutil
from pathlib import Path

from portal.engine import lint_workflows
from portal.processes.diagram import REQUIRED

ROOT = Path(__file__).resolve().parents[2]


def _required():
    return [(r.kind, r.id, r.used_by) for r in REQUIRED]


def test_the_rooms_declare_the_ids_they_use(app):
    declared = {(r.kind, r.id) for r in REQUIRED}
    assert {("userTask", "pip_opstellen"), ("userTask", "pip_ondertekenen"), ("userTask", "zelfbeoordeling"),
            ("signal", "zorg_gemeld"), ("signal", "niet_verschenen"), ("process", "inburgering")} <= declared
    assert lint_workflows(ROOT / "workflows", required=_required()) == []


def test_renaming_a_task_the_code_relies_on_fails_lint(app, tmp_path):
    shutil.copytree(ROOT / "workflows", tmp_path / "workflows")
    pip = tmp_path / "workflows" / "bpmn" / "voortgang.bpmn"
    pip.write_text(pip.read_text().replace('"zelfbeoordeling"', '"zelfbeoordeling_nieuw"'))
    forms = tmp_path / "workflows" / "forms"
    shutil.copy(forms / "zelfbeoordeling.json", forms / "zelfbeoordeling_nieuw.json")
    messages = [str(m) for m in lint_workflows(tmp_path / "workflows", required=_required())]
    assert any("[userTask/zelfbeoordeling] portal.newcomer.services relies on userTask 'zelfbeoordeling'" in m
               for m in messages), messages
