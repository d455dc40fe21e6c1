"""Compaction keeps a looping case's engine state flat, and changes nothing a case can observe.

The fixtures (data/loop/) are the progress loop of docs/notes/long-cases.md in four shapes:
``hoofd`` (the loop in a call activity with a non-interrupting signal boundary ``verhuisd``, the
portal's shape), ``full`` (plus a parallel split/join and a P2W reminder boundary inside the
loop), ``branch`` (a top-level loop next to a parallel branch waiting on a ``timeDate`` term end)
and ``embedded`` (the meeting is an embedded sub-process with a timer boundary).

Each shape runs twice in lockstep: as deployed, and with compaction switched off (the adapter as
it was before). Both must answer every request the same. These tests pin the SpiffWorkflow
internals compaction relies on: they must pass before SpiffWorkflow is upgraded.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID

import pytest
import time_machine

from portal.demo import sample_submission
from portal.engine import EngineError, StepResult, load_source, runtime
from portal.engine.compaction import compact
from portal.engine.runtime import DeployedProcess
from portal.engine.serializer import state_from_dict, state_to_dict

DATA = Path(__file__).parent / "data" / "loop"
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
START_DATA = {"case": {"reference": "LUS-1", "koppeling_datum": "2026-01-05", "gemeente": "0344"}}

#: Checks per lockstep run. The uncompacted run costs O(checks²) (O(checks³) with the parallel
#: join), so the heavier shapes run fewer checks to keep this file fast.
CHECKS = {"hoofd": 40, "full": 20, "branch": 40, "embedded": 24}
SIGNAL_AT = 25  # hoofd: 'verhuisd' arrives after many checks ...
HELD_UNTIL = SIGNAL_AT + 2  # ... and its task stays open across a loop check
REMIND_AT = {"full": {3, 9}, "embedded": {4, 12}}  # the meeting's reminder timer fires mid-check


@cache
def deployed(shape: str) -> DeployedProcess:
    return DeployedProcess(load_source(DATA, shape).bundle)


@contextmanager
def compaction(enabled: bool) -> Iterator[None]:
    """Run the adapter with compaction on (as deployed) or switched off (the adapter before it)."""
    if enabled:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runtime, "compact", lambda workflow: 0)
        yield


def task_count(state: dict[str, Any]) -> int:
    return len(state["tasks"]) + sum(len(sub["tasks"]) for sub in state["subprocesses"].values())


@dataclass(frozen=True)
class Wait:
    """A case at rest: the stored JSON, the last request's result and the clock."""

    text: str
    result: StepResult
    now: datetime


class Case:
    """One case driven like the portal drives it: each request gets the stored JSON and is saved as JSON."""

    def __init__(self, process: DeployedProcess, stored: Wait | None = None):
        self.process = process
        if stored is None:
            self.now = START
            with time_machine.travel(self.now, tick=False):
                self._save(process.start(START_DATA))
        else:
            self.text, self.result, self.now = stored.text, stored.result, stored.now
            self.state = json.loads(stored.text)

    def _save(self, result: StepResult) -> StepResult:
        self.text = json.dumps(result.state)  # what the JSON column stores
        self.state, self.result = json.loads(self.text), result
        return result

    def request(self, method: str, *args: Any) -> StepResult:
        with time_machine.travel(self.now, tick=False):
            return self._save(getattr(self.process, method)(self.state, *args))

    @property
    def ready(self) -> list[str]:
        return sorted(task.bpmn_id for task in self.result.ready_tasks)

    def fire(self) -> StepResult:
        """Jump to one second after the next timer (Spiff fires only when due < now) and advance."""
        assert self.result.next_timer_due is not None, f"no timer waiting; ready: {self.ready}"
        self.now = max(self.now, self.result.next_timer_due) + timedelta(seconds=1)
        return self.request("advance")

    def complete(self, bpmn_id: str, **answers: Any) -> StepResult:
        task = next(task for task in self.result.ready_tasks if task.bpmn_id == bpmn_id)
        form = sample_submission(self.process.form_spec(bpmn_id), self.now.date(), answers)
        return self.request("complete", task.id, form)

    def ready_data(self) -> dict[str, dict[str, Any]]:
        """The task data each ready task would work with (the loop's counter, earlier answers ...)."""
        workflow = self.process._load(self.state)
        return {task.bpmn_id: workflow.get_task_from_id(UUID(task.id)).data for task in self.result.ready_tasks}


class Observed(NamedTuple):
    """What the portal learns from one request."""

    action: str  # the request: start, fire, remind, signal or the BPMN id of the completed task
    ready: tuple[str, ...]
    waiting: tuple[str, ...]
    next_timer_due: datetime | None
    completed: bool


@dataclass
class Trace:
    """What a run observed: after every request, and per check (from one wait at the loop to the next)."""

    requests: list[Observed] = field(default_factory=list)
    loop_data: list[dict[str, dict[str, Any]]] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    tasks: list[int] = field(default_factory=list)
    waits: list[Wait] = field(default_factory=list)  # the case before each check
    final_data: dict[str, Any] = field(default_factory=dict)

    def log(self, case: Case, action: str) -> None:
        result = case.result
        self.requests.append(Observed(action, tuple(case.ready), tuple(wait.bpmn_id for wait in result.waiting),
                                      result.next_timer_due, result.completed))


def _held(bpmn_id: str, check: int) -> bool:
    return bpmn_id.startswith("verhuizing_registreren") and check < HELD_UNTIL


@cache
def trace(shape: str, compacted: bool) -> Trace:
    """Run ``shape`` for CHECKS[shape] checks, then end the loop and finish the case."""
    checks, remind_at = CHECKS[shape], REMIND_AT.get(shape, set())
    out = Trace()
    with compaction(compacted):
        case = Case(deployed(shape))
        out.log(case, "start")
        case.fire()  # the first pass through the loop, to the wait before check 1
        out.log(case, "fire")
        while case.ready:
            bpmn_id = case.ready[0]
            case.complete(bpmn_id)
            out.log(case, bpmn_id)
        for check in range(1, checks + 1):
            if shape == "hoofd" and check == SIGNAL_AT:
                case.request("signal", "verhuisd")
                out.log(case, "signal")
            out.waits.append(Wait(case.text, case.result, case.now))
            case.fire()
            out.log(case, "fire")
            out.loop_data.append(case.ready_data())
            reminded = check not in remind_at
            while ready := [bpmn_id for bpmn_id in case.ready if not _held(bpmn_id, check)]:
                bpmn_id = ready[0]
                if bpmn_id.startswith("voortgangsgesprek") and not reminded:
                    reminded = True
                    case.fire()  # the meeting's reminder boundary, in the middle of the check
                    out.log(case, "remind")
                    continue
                last = bpmn_id.startswith("voortgangsgesprek") and check == checks
                case.complete(bpmn_id, **({"besluit": "afronden"} if last else {}))
                out.log(case, bpmn_id)
            out.sizes.append(len(case.text))
            out.tasks.append(task_count(case.state))
        while case.ready:  # after the loop: the top-level tasks that are left (afronden)
            bpmn_id = case.ready[0]
            case.complete(bpmn_id)
            out.log(case, bpmn_id)
        out.final_data = case.process.data(case.state)
    return out


SHAPES = list(CHECKS)


@pytest.mark.parametrize("shape", SHAPES)
def test_lockstep_with_the_uncompacted_adapter(shape):
    compacted, plain = trace(shape, True), trace(shape, False)
    assert compacted.requests == plain.requests  # ready tasks, waits, next timer, completion: every request
    assert compacted.loop_data == plain.loop_data
    assert max(data["cyclus"] for ready in compacted.loop_data for data in ready.values() if "cyclus" in data) \
        >= CHECKS[shape]
    assert compacted.final_data == plain.final_data
    assert compacted.requests[-1].completed
    assert compacted.final_data["cyclus"] >= CHECKS[shape]


@pytest.mark.parametrize("shape", SHAPES)
def test_state_stays_flat(shape):
    compacted, plain = trace(shape, True), trace(shape, False)
    settled = slice(-10, -1)  # one-off events (signal, term end) are behind; the last check ends the loop
    assert max(compacted.tasks[settled]) == min(compacted.tasks[settled])
    assert max(compacted.sizes[settled]) - min(compacted.sizes[settled]) < 16  # the counter gains a digit
    assert max(compacted.sizes) < 24 * 1024 and max(compacted.tasks) < 60
    assert plain.sizes[-1] > 5 * compacted.sizes[-1]  # what compaction saves already after a few dozen checks
    assert plain.tasks[-1] > plain.tasks[len(plain.tasks) // 2] > plain.tasks[0]


def test_signal_boundary_on_the_call_activity_still_fires_after_many_checks():
    requests = trace("hoofd", True).requests
    signal = next(i for i, request in enumerate(requests) if request.action == "signal")
    assert requests[signal].ready == ("verhuizing_registreren",)
    completed = next(i for i, request in enumerate(requests) if request.action == "verhuizing_registreren")
    fires = [request for request in requests[signal:completed] if request.action == "fire"]
    assert len(fires) == 3  # open during the check it came in, a whole check, and the next one
    assert all("verhuizing_registreren" in request.ready for request in requests[signal:completed])


@pytest.mark.parametrize("shape, meeting, reminder", [("full", "voortgangsgesprek_full", "herinnering_full"),
                                                       ("embedded", "voortgangsgesprek_embedded",
                                                        "herinnering_embedded")])
def test_reminder_boundary_fires_mid_check(shape, meeting, reminder):
    requests = trace(shape, True).requests
    reminders = [request for request in requests if request.action == "remind"]
    assert len(reminders) == len(REMIND_AT[shape])
    assert all(request.ready == (reminder, meeting) for request in reminders)


def test_term_end_timer_fires_next_to_the_loop():
    compacted = trace("branch", True)
    term = next(i for i, request in enumerate(compacted.requests) if "termijn_verlopen" in request.ready)
    assert compacted.requests[term][:3] == ("fire", ("termijn_verlopen",), ("wacht_interval_branch",))
    # add_months(koppeling_datum, 36) + "T09:00:00+00:00": three years after the start
    assert compacted.requests[term - 1].next_timer_due == datetime(2029, 1, 5, 9, tzinfo=UTC)
    assert compacted.requests[-1].completed  # the join fired once the loop ended too


def test_embedded_subprocesses_of_earlier_passes_are_dropped():
    compacted, plain = trace("embedded", True).waits[-1], trace("embedded", False).waits[-1]
    assert len(json.loads(compacted.text)["subprocesses"]) <= 1
    assert len(json.loads(plain.text)["subprocesses"]) >= CHECKS["embedded"] - 1


@pytest.mark.parametrize("shape", SHAPES)
def test_compacted_state_round_trips_byte_identical(shape):
    stored = trace(shape, True).waits[-1]
    process = deployed(shape)
    assert json.dumps(state_to_dict(process._load(json.loads(stored.text)))) == stored.text
    # a rollback is safe: the adapter without compaction runs a compacted state the same way
    with compaction(False):
        plain = Case(process, stored)
        plain.fire()
    compacted = Case(process, stored)
    compacted.fire()
    assert plain.ready == compacted.ready and plain.ready_data() == compacted.ready_data()
    assert plain.result.next_timer_due == compacted.result.next_timer_due


def test_compact_is_idempotent_and_reports_what_it_dropped():
    process = deployed("hoofd")
    workflow = state_from_dict(json.loads(trace("hoofd", False).waits[-1].text), process.spec,
                               process.subprocess_specs)
    assert compact(workflow) > 5 * CHECKS["hoofd"]  # six loop nodes per check
    assert compact(workflow) == 0
    again = state_from_dict(state_to_dict(workflow), process.spec, process.subprocess_specs)
    assert compact(again) == 0
    assert task_count(state_to_dict(again)) == task_count(json.loads(trace("hoofd", True).waits[-1].text))


def build_legacy_state(process: DeployedProcess, limit: int = 200) -> tuple[Wait, int]:
    """A deep state as the adapter wrote it before compaction: run the loop until the engine stops.

    One workflow object is stepped in memory and serialized once at the end: the same tree as a
    JSON round trip per request, in a fraction of the time. Returns the state and the checks run.
    """
    now, checks = START, 0
    with compaction(False):
        with time_machine.travel(now, tick=False):
            workflow = process._load(process.start(START_DATA).state)
        while checks < limit:
            with time_machine.travel(now, tick=False):
                ready = workflow.get_tasks(state=runtime.TaskState.READY, manual=True)
                if ready:
                    task = ready[0]
                    bpmn_id = task.task_spec.bpmn_id
                    task.data[bpmn_id] = sample_submission(process.form_spec(bpmn_id), now.date())
                    task.run()
                    process._steps(workflow)
                    continue
            timers = [datetime.fromisoformat(e.value) for e in workflow.waiting_events() if isinstance(e.value, str)]
            if not timers:
                break  # the engine no longer sees the loop: the case is silently stuck
            now, checks = min(timers) + timedelta(seconds=1), checks + 1
            with time_machine.travel(now, tick=False):
                process._steps(workflow)
        with time_machine.travel(now, tick=False):
            result = process._result(workflow)
    return Wait(json.dumps(result.state), result, now), checks


def test_legacy_deep_state_heals_on_its_first_load_and_runs_on():
    process = deployed("hoofd")
    legacy, checks = build_legacy_state(process)
    assert 150 < checks < 200 and len(legacy.text) > 300_000  # the tree passed Spiff's max_depth of 1000
    # what the adapter saw without compaction: no ready task, no timer, not completed - stuck for good
    assert (legacy.result.ready_tasks, legacy.result.next_timer_due, legacy.result.completed) == ((), None, False)
    with compaction(False):
        stuck = Case(process, legacy)
        stuck.request("advance")
        assert (stuck.ready, stuck.result.next_timer_due) == ([], None)

    case = Case(process, legacy)
    case.request("advance")  # the first load compacts; then the engine sees the loop again
    assert case.ready == ["voortgangsgesprek"]  # the meeting of the last check, 1000+ levels down
    assert len(case.text) < 24 * 1024
    assert case.ready_data()["voortgangsgesprek"]["cyclus"] == checks
    case.complete("voortgangsgesprek")
    for check in range(checks + 1, checks + 4):
        assert case.ready == [] and case.result.next_timer_due is not None
        case.fire()
        assert case.ready_data()["zelfbeoordeling"]["cyclus"] == check
        case.complete("zelfbeoordeling")
        case.complete("voortgangsgesprek", **({"besluit": "afronden"} if check == checks + 3 else {}))
    case.complete("afronden")
    assert case.result.completed and process.data(case.state)["cyclus"] == checks + 3


@contextmanager
def recursion_headroom(frames: int) -> Iterator[None]:
    """Lower the recursion limit to ``frames`` above the current stack (a 1000-deep tree, made small)."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def test_recursion_error_in_a_deep_parallel_join_becomes_engine_error():
    """Spiff's parallel join walks ancestors recursively (Task.is_descendant_of): on a deep uncompacted
    tree that is a RecursionError, which must reach the portal as an EngineError, not crash a sweep."""
    process = deployed("full")
    stored = trace("full", False).waits[-1]  # ~180 levels deep
    with compaction(False):
        case = Case(process, stored)
        case.fire()
        case.complete("voorbereiden_full")
        with recursion_headroom(150), pytest.raises(EngineError, match="recursion depth"):
            case.complete("zelfbeoordeling_full")
    case = Case(process, stored)  # the same request with compaction: a shallow tree, no recursion
    case.fire()
    case.complete("voorbereiden_full")
    with recursion_headroom(150):
        case.complete("zelfbeoordeling_full")
    assert case.ready == ["voortgangsgesprek_full"]


def test_steps_maps_recursion_error_to_engine_error():
    class TooDeep:
        def refresh_timers(self):
            raise RecursionError("maximum recursion depth exceeded")

    with pytest.raises(EngineError, match="recursion"):
        DeployedProcess._steps(TooDeep())
