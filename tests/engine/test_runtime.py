"""The engine adapter on a small two-file process: call activity, lanes, gateway, boundary timer."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from portal.engine import TaskNotReady, load_source
from portal.engine.runtime import DeployedProcess

DATA = Path(__file__).parent / "data" / "simple"


@pytest.fixture(scope="module")
def process():
    source = load_source(DATA, "hoofd")
    return DeployedProcess(source.bundle)


def at(day: int):
    return time_machine.travel(datetime(2026, 1, day, 9, tzinfo=UTC), tick=False)


def ids(result):
    return sorted(t.bpmn_id for t in result.ready_tasks)


def test_start_projects_ready_task_lane_due_date_and_timer(process):
    with at(5):
        result = process.start({"case": {"reference": "X"}})
    [task] = result.ready_tasks
    assert (task.bpmn_id, task.lane, task.process_id, task.form) == ("vraag", "Regisseur", "deel", "vraag.json")
    assert task.due_at == datetime(2026, 1, 19, 9, tzinfo=UTC)  # dueIn P2W
    assert result.next_timer_due == datetime(2026, 1, 12, 9, tzinfo=UTC)  # boundary timer P1W
    assert not result.completed


def test_state_holds_no_spec(process):
    with at(5):
        result = process.start({})
    assert "spec" not in result.state and "subprocess_specs" not in result.state


def test_timer_fires_only_when_due(process):
    with at(5):
        state = process.start({}).state
    with at(11):
        assert ids(process.advance(state)) == ["vraag"]
    with at(13):
        result = process.advance(state)
    assert ids(result) == ["herinnering", "vraag"]
    assert {t.lane for t in result.ready_tasks} == {"Regisseur", "Teamleider"}


def test_gateway_condition_on_submitted_data_and_wait_state(process):
    with at(5):
        result = process.start({})
        result = process.complete(result.state, result.ready_tasks[0].id, {"keuze": "ja", "datum": "2026-01-05"})
        assert ids(result) == ["extra"]
        result = process.complete(result.state, result.ready_tasks[0].id, {})
    assert result.ready_tasks == ()
    assert [w.name for w in result.waiting] == ["Wacht op vervolg"]
    assert process.data(result.state)["klaar_op"] == "2026-01-05"  # script task ran in the sandbox
    result = process.signal(result.state, "verder")
    assert result.completed


def test_default_flow_skips_extra_step(process):
    with at(5):
        result = process.start({})
        result = process.complete(result.state, result.ready_tasks[0].id, {"keuze": "nee", "datum": "2026-01-05"})
    assert result.ready_tasks == () and result.waiting


def test_completing_a_task_twice_is_refused(process):
    with at(5):
        first = process.start({})
        task_id = first.ready_tasks[0].id
        second = process.complete(first.state, task_id, {"keuze": "nee", "datum": "2026-01-05"})
        with pytest.raises(TaskNotReady):
            process.complete(second.state, task_id, {"keuze": "nee", "datum": "2026-01-05"})
        with pytest.raises(TaskNotReady):
            process.complete(second.state, "00000000-0000-0000-0000-000000000000", {})


def test_state_survives_json_round_trip(process):
    import json

    with at(5):
        result = process.start({"case": {"reference": "X"}})
        state = json.loads(json.dumps(result.state))
        again = process.complete(state, result.ready_tasks[0].id, {"keuze": "ja", "datum": "2026-01-05"})
    assert ids(again) == ["extra"]
