"""Moving a running case to another version of its process (portal.engine.migration)."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from portal.engine import load_source
from portal.engine.migration import NotMovable, check, migrate
from portal.engine.runtime import DeployedProcess

DATA = Path(__file__).parent / "data" / "simple"


def at(day: int, hour: int = 9):
    return time_machine.travel(datetime(2026, 1, day, hour, tzinfo=UTC), tick=False)


def version(tmp_path: Path, name: str, edit=None) -> DeployedProcess:
    """The simple process, copied and changed by ``edit(deel_bpmn_text) -> text``."""
    target = tmp_path / name
    shutil.copytree(DATA, target)
    if edit:
        path = target / "bpmn" / "deel.bpmn"
        path.write_text(edit(path.read_text()))
    return DeployedProcess(load_source(target, "hoofd").bundle)


def shorter_timer(text: str) -> str:
    return text.replace('"P1W"', '"P3D"')


def step_after_vraag(text: str) -> str:
    """A user task "nieuw" between vraag and the gateway."""
    text = text.replace('<bpmn:sequenceFlow id="d2" sourceRef="vraag" targetRef="gw" />',
                        '<bpmn:sequenceFlow id="d2" sourceRef="vraag" targetRef="nieuw" />'
                        '<bpmn:userTask id="nieuw" name="Nieuwe stap" />'
                        '<bpmn:sequenceFlow id="d2b" sourceRef="nieuw" targetRef="gw" />')
    return text.replace("<bpmn:flowNodeRef>gw</bpmn:flowNodeRef>",
                        "<bpmn:flowNodeRef>gw</bpmn:flowNodeRef><bpmn:flowNodeRef>nieuw</bpmn:flowNodeRef>")


def without_extra(text: str) -> str:
    text = text.replace('<bpmn:userTask id="extra" name="Extra stap" />', "")
    text = text.replace('<bpmn:sequenceFlow id="d_extra" sourceRef="gw" targetRef="extra">',
                        '<bpmn:sequenceFlow id="d_extra" sourceRef="gw" targetRef="gw_merge">')
    text = text.replace('<bpmn:sequenceFlow id="d3" sourceRef="extra" targetRef="gw_merge" />', "")
    return text.replace("<bpmn:flowNodeRef>extra</bpmn:flowNodeRef>", "")


@pytest.fixture
def old(tmp_path):
    return version(tmp_path, "v1")


def copy_form(tmp_path, name, form):
    shutil.copy(DATA / "forms" / "extra.json", tmp_path / name / "forms" / f"{form}.json")


def test_a_waiting_timer_keeps_its_due_date_when_the_new_version_shortens_it(old, tmp_path):
    new = version(tmp_path, "v2", shorter_timer)
    with at(5):
        started = old.start({})
    assert started.next_timer_due == datetime(2026, 1, 12, 9, tzinfo=UTC)
    with at(6):
        assert check(old, started.state, new).movable
        moved, verdict = migrate(old, started.state, new)
    assert moved.next_timer_due == datetime(2026, 1, 12, 9, tzinfo=UTC)  # not 9 January
    assert any("P1W" in note and "P3D" in note for note in verdict.notes)
    assert [t.id for t in moved.ready_tasks] == [t.id for t in started.ready_tasks]  # same open task
    with at(11):
        assert [t.bpmn_id for t in new.advance(moved.state).ready_tasks] == ["vraag"]
    with at(13):
        assert sorted(t.bpmn_id for t in new.advance(moved.state).ready_tasks) == ["herinnering", "vraag"]


def test_a_step_added_after_the_open_one_is_reached_after_the_move(old, tmp_path):
    (tmp_path / "v2").mkdir()
    new_dir = tmp_path / "v2src"
    shutil.copytree(DATA, new_dir)
    path = new_dir / "bpmn" / "deel.bpmn"
    path.write_text(step_after_vraag(path.read_text()))
    shutil.copy(DATA / "forms" / "extra.json", new_dir / "forms" / "nieuw.json")
    new = DeployedProcess(load_source(new_dir, "hoofd").bundle)
    with at(5):
        started = old.start({})
        moved, _ = migrate(old, started.state, new)
        task = moved.ready_tasks[0]
        after = new.complete(moved.state, task.id, {"keuze": "nee", "datum": "2026-01-05"})
    assert [t.bpmn_id for t in after.ready_tasks] == ["nieuw"]


def test_a_case_on_a_removed_step_cannot_move_and_one_before_it_can(old, tmp_path):
    new = version(tmp_path, "v2", without_extra)
    with at(5):
        at_vraag = old.start({})
        at_extra = old.complete(at_vraag.state, at_vraag.ready_tasks[0].id, {"keuze": "ja", "datum": "2026-01-05"})
    assert [t.bpmn_id for t in at_extra.ready_tasks] == ["extra"]
    verdict = check(old, at_extra.state, new)
    assert not verdict.movable and "extra" in verdict.blockers[0]
    with pytest.raises(NotMovable):
        migrate(old, at_extra.state, new)
    assert check(old, at_vraag.state, new).movable
    with at(6):
        moved, _ = migrate(old, at_vraag.state, new)
        done = new.complete(moved.state, moved.ready_tasks[0].id, {"keuze": "ja", "datum": "2026-01-05"})
    assert done.ready_tasks == () and [w.name for w in done.waiting] == ["Wacht op vervolg"]


def test_a_case_that_passed_a_removed_step_moves_and_loads_on_the_new_version(old, tmp_path):
    new = version(tmp_path, "v2", without_extra)
    with at(5):
        result = old.start({})
        result = old.complete(result.state, result.ready_tasks[0].id, {"keuze": "ja", "datum": "2026-01-05"})
        result = old.complete(result.state, result.ready_tasks[0].id, {})  # passed "extra"
        assert [w.name for w in result.waiting] == ["Wacht op vervolg"]
        moved, _ = migrate(old, result.state, new)
        reloaded = new.advance(moved.state)
    assert [w.name for w in reloaded.waiting] == ["Wacht op vervolg"]
    assert new.signal(reloaded.state, "verder").completed


def parallel_branch_before_vraag(text: str) -> str:
    """A parallel split between the start and vraag opens a second branch "apart" (like the end of
    the term on its own timer beside the meetings)."""
    text = text.replace('<bpmn:sequenceFlow id="d1" sourceRef="start_deel" targetRef="vraag" />',
                        '<bpmn:sequenceFlow id="d1" sourceRef="start_deel" targetRef="split" />'
                        '<bpmn:parallelGateway id="split" />'
                        '<bpmn:sequenceFlow id="d1a" sourceRef="split" targetRef="vraag" />'
                        '<bpmn:sequenceFlow id="d1b" sourceRef="split" targetRef="apart" />'
                        '<bpmn:userTask id="apart" name="Apart" />'
                        '<bpmn:sequenceFlow id="d1c" sourceRef="apart" targetRef="einde_apart" />'
                        '<bpmn:endEvent id="einde_apart" />')
    return text.replace("<bpmn:flowNodeRef>vraag</bpmn:flowNodeRef>",
                        "<bpmn:flowNodeRef>vraag</bpmn:flowNodeRef><bpmn:flowNodeRef>split</bpmn:flowNodeRef>"
                        "<bpmn:flowNodeRef>apart</bpmn:flowNodeRef><bpmn:flowNodeRef>einde_apart</bpmn:flowNodeRef>")


def test_a_parallel_branch_added_before_the_case_refuses_the_move(old, tmp_path):
    target = tmp_path / "v2"
    shutil.copytree(DATA, target)
    path = target / "bpmn" / "deel.bpmn"
    path.write_text(parallel_branch_before_vraag(path.read_text()))
    shutil.copy(DATA / "forms" / "extra.json", target / "forms" / "apart.json")
    new = DeployedProcess(load_source(target, "hoofd").bundle)
    with at(5):
        assert sorted(t.bpmn_id for t in new.start({}).ready_tasks) == ["apart", "vraag"]  # new cases get both
        started = old.start({})
    verdict = check(old, started.state, new)
    assert not verdict.movable and "split" in verdict.blockers[0] and "vraag" in verdict.blockers[0]
