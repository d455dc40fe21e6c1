"""Forget a case's completed engine history, so a case that loops for years keeps a flat cost.

SpiffWorkflow never removes a task it has run: every pass through a loop hangs one more level per
node under the previous pass. A progress loop that runs every three months would make the state
grow by kilobytes per check and every request slower, until the tree is 1000 levels deep and the
engine silently stops seeing its newest tasks (``TaskIterator`` has ``max_depth=1000``) or a
parallel join dies in the recursive ``Task.is_descendant_of`` (a ``RecursionError``). See
docs/notes/long-cases.md.

:func:`compact` cuts that history. In each workflow (the top level and every subprocess; a call
activity or embedded sub-process has a task tree of its own) it takes *L*, the lowest common
ancestor of all unfinished tasks. L's parent, the *anchor*, is the last completed task on the way
to the live part (L copies its data from it), so the anchor is re-attached as the root's only
child and everything in between goes: a completed path plus finished side branches that no
running task can reach any more. Where L is a completed split with several live branches (a
parallel gateway, a boundary-event split, a loop running next to a branch that waits three years
on a timer) each branch is cut the same way below its own first task, which is kept because
joins look at their split's direct children. Task ids, states, data, timers' due dates and
waiting events do not change, so the result is a normal state the unmodified adapter can load.

A finished side branch can pin L for a while: when a non-interrupting boundary branch (a reminder,
a move signal) reaches its end event, Spiff parks a WAITING end join there until the process ends
(or the next such branch replaces it). L then stays at that pass's split and the loop below it is
cut per branch, so the state stays flat, only a few tasks larger.

SpiffWorkflow 3.2 internals this relies on (the version is pinned; tests/engine/test_compaction.py
runs the same cases with and without compaction in lockstep and must pass before any upgrade):

* ``Task._parent`` (an id) and ``Task._children`` (a list of ids) are the whole tree structure;
  ``Task.parent``/``children`` look them up in ``workflow.tasks``.
* ``Workflow.tasks`` is ordered parents first: the serializer stores each task's data as a delta
  on its parent's and restores the tasks in dict order. The kept tasks are written back in
  preorder. (This order is also why the state column must stay JSON and never become JSONB,
  which sorts object keys: see portal/engine/serializer.py.)
* ``BpmnWorkflow.subprocesses`` maps the id of a call-activity/sub-process task, in any workflow,
  to that task's subworkflow; ``event_manager.tasks`` maps ids of waiting catch events, in any
  workflow, to the task. Both must forget dropped tasks.
* ``Workflow.last_task`` must be one of the workflow's tasks (``DeployedProcess.data`` reads it;
  a finished subprocess hands its data on through it).
* Joins only look at or below their own split: ``BoundaryEventJoin`` through
  ``find_ancestor(split)`` and the split's children, ``ParallelGateway`` at the other join
  instances and their parents, ``_EndJoin`` at unfinished tasks. All of these sit at or below L
  once the engine has stepped.

Everything here is iterative: states written before compaction existed can be thousands of
levels deep, far beyond Python's recursion limit.
"""

from __future__ import annotations

from uuid import UUID

from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

#: Tasks that are never cut away: unfinished ones and (defensively) ones that failed.
_PINNED = TaskState.NOT_FINISHED_MASK | TaskState.ERROR


def compact(workflow: BpmnWorkflow) -> int:
    """Cut completed history from ``workflow`` and all its subprocesses; return the tasks dropped.

    Cheap when there is nothing to cut (one pass over the tasks), so it runs on every load and save.
    """
    dropped = _compact_tree(workflow, workflow)
    for task_id in list(workflow.subprocesses):
        subprocess = workflow.subprocesses.get(task_id)  # None when dropped with its parent just now
        if subprocess is not None:
            dropped += _compact_tree(subprocess, workflow)
    return dropped


def _compact_tree(tree: BpmnBaseWorkflow, top: BpmnWorkflow) -> int:
    """Compact one workflow's task tree (``top`` owns the subprocess and event registries)."""
    pinned = [task for task in tree.tasks.values() if task.has_state(_PINNED)]
    if not pinned:
        return 0  # a finished (sub)workflow: it is small and kept whole
    _reattach_live_parts(tree.task_tree, pinned)
    kept = _preorder(tree.task_tree)
    if len(kept) == len(tree.tasks):
        return 0
    kept_ids = {task.id for task in kept}
    dropped = [task_id for task_id in tree.tasks if task_id not in kept_ids]
    tree.tasks = {task.id: task for task in kept}
    for task_id in dropped:
        top.event_manager.tasks.pop(task_id, None)
        _drop_subprocess(top, task_id)  # e.g. the embedded sub-process of an earlier pass
    if tree.last_task is not None and tree.last_task.id not in kept_ids:
        completed = [task for task in kept if task.has_state(TaskState.COMPLETED)]
        tree.last_task = max(completed, key=lambda task: task.last_state_change) if completed else None
    return len(dropped)


def _reattach_live_parts(root: Task, pinned: list[Task]) -> None:
    """Make each live part's anchor the only child of the task kept above it (root or branch start)."""
    work: list[tuple[Task, list[Task]]] = [(root, pinned)]
    while work:
        keep, tasks = work.pop()
        live = _lowest_common_ancestor(tasks)
        anchor = live.parent
        if live is not keep and anchor is not None and anchor is not keep and anchor.parent is not keep:
            anchor._parent = keep.id
            keep._children = [anchor.id]
        if not live.has_state(_PINNED):
            # A finished task above every live task: a split with several live branches. Cut each
            # branch below its first task (the split's child, which joins still look at).
            branches: dict[UUID, list[Task]] = {}
            for task in tasks:
                branches.setdefault(_child_towards(task, live).id, []).append(task)
            work.extend((live.workflow.tasks[child_id], branch) for child_id, branch in branches.items())


def _lowest_common_ancestor(tasks: list[Task]) -> Task:
    """The deepest task that is an ancestor of (or one of) all ``tasks``."""
    path_up: list[Task] = []
    task: Task | None = tasks[0]
    while task is not None:
        path_up.append(task)
        task = task.parent
    height = {task.id: index for index, task in enumerate(path_up)}
    lowest = 0
    for other in tasks[1:]:
        while other.id not in height:
            other = other.parent
        lowest = max(lowest, height[other.id])
    return path_up[lowest]


def _child_towards(task: Task, ancestor: Task) -> Task:
    """The child of ``ancestor`` on the path down to ``task`` (a proper descendant)."""
    while task.parent is not ancestor:
        task = task.parent
    return task


def _preorder(root: Task) -> list[Task]:
    """The tree under ``root`` in preorder: parents before children, children in their order."""
    ordered, stack = [], [root]
    while stack:
        task = stack.pop()
        ordered.append(task)
        stack.extend(child for child in reversed(task.children) if child is not None)
    return ordered


def _drop_subprocess(top: BpmnWorkflow, task_id: UUID) -> None:
    """Forget the subprocess started by task ``task_id``, with the subprocesses nested in it."""
    stack = [task_id]
    while stack:
        subprocess = top.subprocesses.pop(stack.pop(), None)
        if subprocess is None:
            continue
        for inner_id in subprocess.tasks:
            top.event_manager.tasks.pop(inner_id, None)
            if inner_id in top.subprocesses:
                stack.append(inner_id)
