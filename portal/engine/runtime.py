"""Run cases on a deployed process version. The only place a workflow is loaded, stepped and saved.

Every call takes the stored state (a dict), does its work and hands back a :class:`StepResult`
with the new state and everything the portal projects into SQL: ready user tasks, wait states and
the next timer due. No SpiffWorkflow object leaves this module.

Every state is compacted (:mod:`portal.engine.compaction`) right after it is loaded and again
before it is saved, so a case that loops for years keeps a small state and a flat cost, and a deep
state written before compaction existed heals on its next load.

The stored state must stay a JSON column, never JSONB: it depends on the order of its keys (see
:mod:`portal.engine.serializer` and docs/notes/long-cases.md §5).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import SignalEventDefinition
from SpiffWorkflow.util.task import TaskState

from portal.dates import deadline
from portal.engine.compaction import compact
from portal.engine.forms import FormSpec, form_spec_from_schema
from portal.engine.limits import ScriptLimitExceeded
from portal.engine.rules import ScriptError
from portal.engine.scripting import make_script_engine
from portal.engine.serializer import spec_from_dict, state_from_dict, state_to_dict

#: What makes a step fail. RecursionError: Spiff walks ancestors recursively (a parallel join in a
#: deep, uncompacted tree). ScriptError: the sandbox, when Spiff calls it without its script engine
#: (process-level conditions, message correlations).
_FAILURES = (SpiffWorkflowException, ScriptError, RecursionError)
TIMER_EVENT_TYPES = {"DurationTimerEventDefinition", "TimeDateEventDefinition", "CycleTimerEventDefinition"}


class EngineError(Exception):
    """The process could not advance (a script failed, a condition matched nothing …).

    ``process_id`` and ``element_id`` say where, when known; ``limit`` is "time" or "memory" when a
    script, condition or timer expression ran out of its budget (:mod:`portal.engine.limits`).
    """

    def __init__(self, message: str, process_id: str | None = None, element_id: str | None = None,
                 limit: str | None = None):
        super().__init__(message)
        self.process_id, self.element_id, self.limit = process_id, element_id, limit

    @classmethod
    def from_exception(cls, exc: BaseException) -> EngineError:
        """The engine error for what Spiff (or the sandbox, called by Spiff directly) raised."""
        task = getattr(exc, "task", None)
        process_id = task.workflow.spec.name if task is not None else None
        element_id = getattr(task.task_spec, "bpmn_id", None) if task is not None else None
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, ScriptLimitExceeded):
            cause = cause.__cause__ or cause.__context__ or getattr(cause, "exception", None)
        if cause is None:
            return cls(str(exc), process_id, element_id)
        where = f"{process_id or '?'}/{element_id or '?'}"
        return cls(f"{where}: {cause}", process_id, element_id, limit=cause.kind)


class TaskNotReady(Exception):
    """The task is no longer (or not yet) ready: completed elsewhere, cancelled by a timer …"""


@dataclass(frozen=True)
class ReadyTask:
    id: str
    bpmn_id: str
    process_id: str
    title: str
    lane: str | None
    form: str
    due_at: datetime | None
    #: For a task a boundary event led to (an escalation): the id of the task that event is attached
    #: to, e.g. the concern's answer step whose deadline passed. None for every other task.
    origin: str | None = None


@dataclass(frozen=True)
class WaitState:
    bpmn_id: str
    name: str
    #: A timer wait (the case moves on its own) rather than a wait for a signal (a report from outside).
    timer: bool = False


@dataclass(frozen=True)
class StepResult:
    state: dict[str, Any] = field(repr=False)
    ready_tasks: tuple[ReadyTask, ...]
    waiting: tuple[WaitState, ...]
    next_timer_due: datetime | None
    completed: bool


class DeployedProcess:
    """A deployed, immutable process version, with its specs deserialized once."""

    def __init__(self, bundle: dict[str, Any]):
        self.bundle = bundle
        self.entry = bundle["entry"]
        self.spec = spec_from_dict(bundle["spec"])
        self.subprocess_specs = {name: spec_from_dict(d) for name, d in bundle["subprocess_specs"].items()}
        self.tasks: dict[str, dict[str, Any]] = bundle["tasks"]
        self._form_specs: dict[str, FormSpec] = {}

    def process_name(self, process_id: str) -> str:
        return self.bundle.get("process_names", {}).get(process_id) or process_id

    # -- forms ---------------------------------------------------------------------------------
    def form_spec(self, bpmn_id: str) -> FormSpec:
        """The task's form; built (and its schema checked) once per deployed version."""
        spec = self._form_specs.get(bpmn_id)
        if spec is None:
            meta = self.tasks[bpmn_id]
            spec = self._form_specs[bpmn_id] = form_spec_from_schema(bpmn_id, self.bundle["forms"][meta["form"]])
        return spec

    # -- running -------------------------------------------------------------------------------
    def start(self, data: dict[str, Any]) -> StepResult:
        """Start a new case with ``data`` as its initial task data."""
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=make_script_engine())
        workflow.task_tree.data.update(data)
        self._steps(workflow)
        return self._result(workflow)

    def advance(self, state: dict[str, Any]) -> StepResult:
        """Fire due timers and run whatever became ready."""
        workflow = self._load(state)
        self._steps(workflow)
        return self._result(workflow)

    def complete(self, state: dict[str, Any], task_id: str, form_data: dict[str, Any],
                 facts: dict[str, Any] | None = None) -> StepResult:
        """Complete ready user task ``task_id`` with ``form_data`` (stored under its BPMN id).

        :param facts: top-level data the portal derived while completing the step (e.g. the term end
            of a decided plan, or whether a progress meeting shows stagnation); gateways read them.
        """
        workflow = self._load(state)
        self._steps(workflow)
        try:
            task = workflow.get_task_from_id(UUID(task_id))
        except Exception as exc:  # Spiff raises a bare TaskNotFoundException
            raise TaskNotReady(task_id) from exc
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(task_id)
        task.data[task.task_spec.bpmn_id] = form_data
        task.data.update(facts or {})
        try:
            task.run()
        except _FAILURES as exc:
            raise EngineError.from_exception(exc) from exc
        self._steps(workflow)
        return self._result(workflow)

    def signal(self, state: dict[str, Any], name: str) -> StepResult:
        """Deliver a named BPMN signal (e.g. to leave a wait state)."""
        workflow = self._load(state)
        workflow.catch(BpmnEvent(SignalEventDefinition(name, expression=None)))
        self._steps(workflow)
        return self._result(workflow)

    def settle(self, workflow: BpmnWorkflow) -> StepResult:
        """Run a workflow restored on this version (e.g. just migrated to it) until it waits."""
        workflow.script_engine = make_script_engine()
        self._steps(workflow)
        return self._result(workflow)

    def data(self, state: dict[str, Any]) -> dict[str, Any]:
        """The data of the most recently completed task (for debugging and tests)."""
        workflow = self._load(state)
        return dict(workflow.last_task.data) if workflow.last_task else {}

    # -- internals -----------------------------------------------------------------------------
    def _load(self, state: dict[str, Any]) -> BpmnWorkflow:
        workflow = state_from_dict(state, self.spec, self.subprocess_specs)
        compact(workflow)  # before any stepping: heals states that grew too deep to step
        workflow.script_engine = make_script_engine()  # not serialized: set after every load
        return workflow

    @staticmethod
    def _steps(workflow: BpmnWorkflow) -> None:
        try:
            workflow.refresh_timers()
            workflow.do_engine_steps()
        except _FAILURES as exc:
            raise EngineError.from_exception(exc) from exc

    @staticmethod
    def _origin(task) -> str | None:
        """The task the boundary event before ``task`` is attached to (its sibling under the boundary
        split), if ``task`` follows a boundary event without another user task in between."""
        node = task.parent
        while node is not None and not node.task_spec.manual:
            if isinstance(node.task_spec, BoundaryEvent):
                split = node.parent
                attached = [child for child in (split.children if split else [])
                            if not isinstance(child.task_spec, BoundaryEvent)]
                return str(attached[0].id) if attached else None
            node = node.parent
        return None

    def _result(self, workflow: BpmnWorkflow) -> StepResult:
        compact(workflow)
        now = datetime.now(UTC)
        ready = []
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            spec = task.task_spec
            meta = self.tasks.get(spec.bpmn_id, {})
            due_in = meta.get("due_in")
            ready.append(ReadyTask(
                id=str(task.id),
                bpmn_id=spec.bpmn_id,
                process_id=task.workflow.spec.name,
                title=spec.bpmn_name or spec.bpmn_id,
                lane=spec.lane,
                form=meta.get("form", f"{spec.bpmn_id}.json"),
                due_at=deadline(now, due_in) if due_in else None,  # Dutch calendar, calendar months
                origin=self._origin(task),
            ))
        waiting = tuple(
            WaitState(task.task_spec.bpmn_id, task.task_spec.bpmn_name or task.task_spec.bpmn_id,
                      timer=isinstance(task.task_spec.event_definition, TimerEventDefinition))
            for task in workflow.get_tasks(state=TaskState.WAITING)
            if isinstance(task.task_spec, CatchingEvent) and not isinstance(task.task_spec, BoundaryEvent)
        )
        timer_values = [
            datetime.fromisoformat(event.value)
            for event in workflow.waiting_events()
            if event.event_type in TIMER_EVENT_TYPES and isinstance(event.value, str)
        ]
        return StepResult(
            state=state_to_dict(workflow),
            ready_tasks=tuple(ready),
            waiting=waiting,
            next_timer_due=min(timer_values) if timer_values else None,
            completed=workflow.is_completed(),
        )


_processes: dict[str, DeployedProcess] = {}


def deployed_process(digest: str, bundle: Callable[[], dict[str, Any]] | dict[str, Any]) -> DeployedProcess:
    """The :class:`DeployedProcess` for a version, deserialized once per process and cached.

    :param bundle: the bundle, or a callable returning it (only called on a cache miss, so the
        large JSON is not even loaded from the database on the hot path).
    """
    process = _processes.get(digest)
    if process is None:
        process = _processes[digest] = DeployedProcess(bundle() if callable(bundle) else bundle)
    return process
