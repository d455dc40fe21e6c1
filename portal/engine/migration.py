"""Moving a running case from one deployed process version to another.

SpiffWorkflow aligns the task specs of two versions by BPMN id (``diff_workflow``); its
``migrate_workflow`` then resets every ready and waiting task, which would give a waiting timer a
new start (it fires later than promised) and an open user task a new id (its draft and assignee
lost). Here the active tasks are kept as they are: their specs are swapped for the aligned ones,
their predicted branches are dropped and predicted again from the new version. So

- a waiting timer keeps the due date it computed when it started, even when the new version
  changed its duration (the promise made to the newcomer stands; the new duration applies from
  the next time the timer starts);
- a ready user task keeps its id, so the portal's human task, draft and assignee stay valid;
- what comes after the active tasks follows the new version (added steps, removed steps).

A case cannot move when one of its active tasks, or an active subprocess, has no counterpart in
the new version (its token would stand on a node that no longer exists), or when the new version
reads answers of a step that the case has passed by (a step added before where the case is).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.specs.base import TaskSpec

from portal.engine.runtime import DeployedProcess, StepResult
from portal.engine.serializer import serializer

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE


@dataclass(frozen=True)
class Verdict:
    """Whether a case can move, and what the designer should know about it."""

    movable: bool
    #: Why it cannot move (empty when it can), in words a designer reads.
    blockers: tuple[str, ...] = ()
    #: What changes for the case when it moves (a timer that keeps its old due date, a form that changed).
    notes: tuple[str, ...] = ()
    #: BPMN ids of the case's active nodes before the move.
    active: tuple[str, ...] = ()


@dataclass
class _Findings:
    blockers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    active: list[str] = field(default_factory=list)


def _bpmn_id(spec: TaskSpec) -> str:
    return getattr(spec, "bpmn_id", None) or spec.name


def _label(spec: TaskSpec) -> str:
    name = getattr(spec, "bpmn_name", None)
    return f"{_bpmn_id(spec)} ({name})" if name else _bpmn_id(spec)


_reads_cache: dict[int, tuple[DeployedProcess, dict[str, set[str]]]] = {}


def _reads(target: DeployedProcess) -> dict[str, set[str]]:
    cached = _reads_cache.get(id(target))
    if cached is None or cached[0] is not target:
        cached = _reads_cache[id(target)] = (target, _names_read(target))
    return cached[1]


def _names_read(target: DeployedProcess) -> dict[str, set[str]]:
    """Per variable name: the BPMN ids of the target's scripts and conditions that read it."""
    reads: dict[str, set[str]] = {}
    for process in [target.spec, *target.subprocess_specs.values()]:
        for spec in process.task_specs.values():
            sources = [getattr(spec, "script", None)]
            sources += [getattr(cond, "condition", None) for cond in getattr(spec, "cond_task_specs", [])]
            for source in filter(None, sources):
                try:
                    tree = ast.parse(source)
                except SyntaxError:  # lint refuses such a version; nothing to learn here
                    continue
                for node in ast.walk(tree):
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                        reads.setdefault(node.id, set()).add(_bpmn_id(spec))
    return reads


def _walk(start: TaskSpec, step) -> set[int]:
    seen: dict[int, TaskSpec] = {}
    todo = [start]
    while todo:
        spec = todo.pop()
        if id(spec) not in seen:
            seen[id(spec)] = spec
            todo.extend(step(spec))
    return seen


def _split_passed_by(new: TaskSpec, diff) -> TaskSpec | None:
    """An added parallel or inclusive split upstream of ``new`` that the case cannot reach again from
    there: its branches (e.g. the end of the term on a timer of its own) would never start for it."""
    upstream = _walk(new, lambda spec: spec.inputs)
    downstream = _walk(new, lambda spec: spec.outputs)
    added = {id(spec) for spec in diff_added(diff)}
    for key, spec in upstream.items():
        if key in added and key not in downstream and isinstance(spec, ParallelGateway | InclusiveGateway) \
                and len(spec.outputs) > 1:
            return spec
    return None


def diff_added(diff) -> list[TaskSpec]:
    """The task specs of the new version that nothing in the old one aligns with."""
    return getattr(diff, "_spec_diff", None).added if getattr(diff, "_spec_diff", None) else []


def _timer_note(old: TaskSpec, new: TaskSpec) -> str | None:
    old_event, new_event = getattr(old, "event_definition", None), getattr(new, "event_definition", None)
    if not isinstance(old_event, TimerEventDefinition) or not isinstance(new_event, TimerEventDefinition):
        return None
    if old_event.expression == new_event.expression:
        return None
    return (f"timer {_label(old)}: keeps its due date (was {old_event.expression}, "
            f"now {new_event.expression} from its next start)")


#: Spec diffs per (source spec, target spec) object pair: the deployed specs are cached per version, so
#: a batch of 10,000 cases compares the two versions' specs once instead of once per case.
_spec_diffs: dict[tuple[int, int], SpecDiff] = {}


def _spec_diff(original, new) -> SpecDiff:
    key = (id(original), id(new))
    diff = _spec_diffs.get(key)
    if diff is None or diff._pair != (original, new):  # ids are reused only after the objects are gone
        diff = SpecDiff(serializer.registry, original, new)
        diff._pair = (original, new)
        if len(_spec_diffs) > 256:
            _spec_diffs.clear()
        _spec_diffs[key] = diff
    return diff


def diff_workflow(workflow: BpmnWorkflow, target: DeployedProcess):
    """SpiffWorkflow's ``diff_workflow``, with the spec diffs cached (see ``_spec_diff``)."""
    top = _workflow_diff(workflow, _spec_diff(workflow.spec, target.spec))
    subs = {}
    for sub_id, sub in workflow.subprocesses.items():
        new = target.subprocess_specs.get(sub.spec.name)
        subs[sub_id] = _workflow_diff(sub, _spec_diff(sub.spec, new)) if new is not None else None
    return top, subs


def _workflow_diff(workflow, spec_diff: SpecDiff) -> WorkflowDiff:
    diff = WorkflowDiff(workflow, spec_diff)
    diff._spec_diff = spec_diff  # what was added, for the checks that look upstream of the case
    return diff


def _check(workflow: BpmnWorkflow, source: DeployedProcess, target: DeployedProcess) -> tuple[_Findings, Any, Any]:
    top_diff, sub_diffs = diff_workflow(workflow, target)
    found = _Findings()
    passed: set[str] = set()
    for sub_id, diff in [(None, top_diff), *sub_diffs.items()]:
        sub = workflow if sub_id is None else workflow.subprocesses[sub_id]
        active = [t for t in sub.get_tasks(state=ACTIVE, skip_subprocesses=True)]
        passed |= {_bpmn_id(t.task_spec) for t in sub.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True)}
        if diff is None:
            if active:
                found.blockers.append(f"subprocess {sub.spec.name} is active and does not exist in the new version")
            continue
        for task in diff.removed:  # history of a removed split that live branches still hang from
            if task.has_state(TaskState.FINISHED_MASK) and len(task.children) > 1 and any(
                    not child.has_state(TaskState.FINISHED_MASK) for child in task.children):
                found.blockers.append(f"the case is inside the branches of {_label(task.task_spec)}, "
                                      "which the new version removed")
        for task in active:
            spec = task.task_spec
            if isinstance(spec, CatchingEvent) or getattr(spec, "manual", False):
                found.active.append(_bpmn_id(spec))
            new = diff.alignment.get(task)
            if task in diff.removed or new is None:
                found.blockers.append(f"the case stands on {_label(spec)}, which the new version removed")
                continue
            split = _split_passed_by(new, diff)
            if split is not None:
                found.blockers.append(f"the new version opens parallel branches at {_label(split)}, before "
                                      f"{_label(spec)} where the case stands; the case would never get them")
            note = _timer_note(spec, new)
            if note:
                found.notes.append(note)
            if getattr(spec, "manual", False) and source.tasks.get(_bpmn_id(spec), {}).get("form") is not None:
                old_form = source.bundle["forms"].get(source.tasks[_bpmn_id(spec)]["form"])
                new_meta = target.tasks.get(_bpmn_id(new), {})
                if new_meta and target.bundle["forms"].get(new_meta.get("form")) != old_form:
                    found.notes.append(f"open step {_label(spec)}: its form changed; a saved draft is checked "
                                       "against the new form when it is sent")
    # A step the new version added before where the case stands: the case never passes it, so a
    # script or condition that reads its answers would fail later on.
    added_user_tasks = {bpmn_id for bpmn_id in target.tasks if bpmn_id not in source.tasks}
    reads = _reads(target)
    for bpmn_id in sorted(added_user_tasks):
        if bpmn_id in reads and not _reachable(workflow, target, bpmn_id):
            found.blockers.append(f"the new version reads the answers of step {bpmn_id} (in "
                                  f"{', '.join(sorted(reads[bpmn_id]))}), which this case has passed by")
    return found, top_diff, sub_diffs


def _reachable(workflow: BpmnWorkflow, target: DeployedProcess, bpmn_id: str) -> bool:
    """Whether a task with ``bpmn_id`` can still come after the case's active tasks in ``target``."""
    specs = {}
    for process in [target.spec, *target.subprocess_specs.values()]:
        specs.update({_bpmn_id(s): s for s in process.task_specs.values()})
    starts = [specs.get(_bpmn_id(t.task_spec)) for t in workflow.get_tasks(state=ACTIVE)]
    seen: set[int] = set()
    todo = [s for s in starts if s is not None]
    called = {name: sub for name, sub in target.subprocess_specs.items()}
    while todo:
        spec = todo.pop()
        if id(spec) in seen:
            continue
        seen.add(id(spec))
        if _bpmn_id(spec) == bpmn_id:
            return True
        todo.extend(spec.outputs)
        sub = called.get(getattr(spec, "spec", None) or "")
        if sub is not None:
            todo.append(sub.start)
    return False


def check(source: DeployedProcess, state: dict[str, Any], target: DeployedProcess) -> Verdict:
    """The verdict for one case's stored ``state`` (on ``source``) moving to ``target``."""
    workflow = source._load(state)
    found, _top, _subs = _check(workflow, source, target)
    return Verdict(not found.blockers, tuple(found.blockers), tuple(found.notes), tuple(found.active))


def _repredict(workflow: BpmnWorkflow, diff, spec) -> None:
    """Swap every task's spec for its counterpart, then predict again what follows the frontier.

    The frontier is the active tasks whose children are all predictions (a ready user task, a
    waiting timer or message): their predicted branches are dropped and predicted again from the
    new spec. Active tasks with active children (a running call
    activity, the split in front of a task with boundary events) are left alone: syncing them
    would set their running children back to FUTURE.
    """
    workflow.spec = spec
    for task in list(workflow.tasks.values()):
        aligned = diff.alignment.get(task)
        if aligned is not None:
            task.task_spec = aligned
        elif task.has_state(TaskState.FINISHED_MASK) and task.parent is not None:
            _forget(workflow, task)
    for task in list(workflow.get_tasks(state=ACTIVE, skip_subprocesses=True)):
        if task.id not in workflow.tasks or not all(child.has_state(PREDICTED) for child in task.children):
            continue
        for child in task.children:  # predictions hold nothing: drop them all and predict afresh
            for gone in list(child):
                workflow.tasks.pop(gone.id, None)
            task._children.remove(child.id)
        task.task_spec._predict(task, mask=PREDICTED | task.state)


def _forget(workflow: BpmnWorkflow, task) -> None:
    """Take a finished task of a removed step out of the history (its children hang from its parent).

    The engine could not restore it on the new version (its spec is gone); the legal record of what
    happened there lives in the portal's tables, not in the engine's history. ``workflow.tasks``
    stays parents-first, which the serializer relies on (see portal.engine.compaction).
    """
    parent = task.parent
    at = parent._children.index(task.id)
    parent._children[at:at + 1] = list(task._children)
    for child in task.children:
        child._parent = parent.id
    if workflow.last_task is task:
        workflow.last_task = parent
    del workflow.tasks[task.id]
    top = workflow.top_workflow if hasattr(workflow, "top_workflow") else workflow
    top.subprocesses.pop(task.id, None)


class NotMovable(Exception):
    def __init__(self, verdict: Verdict):
        super().__init__("; ".join(verdict.blockers))
        self.verdict = verdict


def migrate(source: DeployedProcess, state: dict[str, Any], target: DeployedProcess) -> tuple[StepResult, Verdict]:
    """Move the case to ``target``; its active tasks (ids, timers' due dates, data) stay as they are.

    :raises NotMovable: when :func:`check` finds a blocker; nothing changes then.
    """
    workflow = source._load(state)
    found, top_diff, sub_diffs = _check(workflow, source, target)
    verdict = Verdict(not found.blockers, tuple(found.blockers), tuple(found.notes), tuple(found.active))
    if found.blockers:
        raise NotMovable(verdict)
    _repredict(workflow, top_diff, target.spec)
    for sub_id, diff in sub_diffs.items():
        sub = workflow.subprocesses[sub_id]
        if diff is not None:
            _repredict(sub, diff, target.subprocess_specs[sub.spec.name])
    workflow.subprocess_specs = target.subprocess_specs
    return target.settle(workflow), verdict
