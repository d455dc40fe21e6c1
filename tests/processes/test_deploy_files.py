"""Linting and deploying a set of workflows files that is not the working directory (a draft, an upload)."""

import pytest

from portal.engine.parser import source_files
from portal.processes.models import ProcessVersion
from portal.processes.services import DeployError, bad_file_names, deploy, lint_files, workflows_dir


def test_the_working_directory_as_files_lints_clean_and_deploys_to_its_own_version(app):
    files = source_files(workflows_dir())
    assert lint_files(files) == []
    from_files, _ = deploy(files=files, note="as files")
    from_dir, created = deploy()
    assert from_files.id == from_dir.id and created is False


def test_a_broken_file_is_reported_by_its_workflows_name_and_nothing_is_stored(app):
    files = source_files(workflows_dir())
    files["bpmn/pip.bpmn"] = files["bpmn/pip.bpmn"].replace("</bpmn:definitions>", "")
    problems = lint_files(files)
    assert any(m.file == "workflows/bpmn/pip.bpmn" and m.line > 0 and "not well-formed" in m.message
               for m in problems), problems
    before = ProcessVersion.query.count()
    with pytest.raises(DeployError) as raised:
        deploy(files=files)
    assert any("workflows/bpmn/pip.bpmn" in message for message in raised.value.messages)
    assert ProcessVersion.query.count() == before


@pytest.mark.parametrize("name", ["../etc/passwd", "bpmn/../../x.bpmn", "/abs/x.bpmn", "bpmn/x.txt",
                                  "forms/x.bpmn", "bpmn/sub/x.bpmn", "x.bpmn", "bpmn/.hidden.bpmn",
                                  "forms\\x.json"])
def test_names_outside_workflows_are_refused_before_anything_is_written(app, name):
    assert bad_file_names({name: ""}) == [name]
    with pytest.raises(DeployError):
        lint_files({name: ""})
