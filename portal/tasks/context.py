"""Task context: domain facts a task page shows above its form, contributed by the room that owns them.

BPMN ``showSteps`` shows what earlier *steps* recorded. Some tasks need a domain record instead: the
concern a ``zorg_behandelen`` task answers, or the rung the portal computed for an enforcement proposal.
The owning room registers a provider for the task's BPMN id (next to its portal actions, which the app
imports at start-up), so the tasks room needs no knowledge of concerns or enforcement::

    @task_context("zorg_behandelen")
    def concern(task: HumanTask, user: User) -> TaskPanel | None:
        ...

A provider returns ``None`` when it has nothing to show. It may read only what ``user`` may see: the
task page shows every row as given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from portal.hooks import Hooks
from portal.processes.diagram import user_task

if TYPE_CHECKING:
    from portal.auth.models import User
    from portal.tasks.models import HumanTask


@dataclass(frozen=True)
class TaskPanel:
    """One panel above the form: a heading and (label, value) rows, rendered as a summary list."""

    title: str
    rows: tuple[tuple[str, str], ...]


class TaskHooks:
    """:class:`portal.hooks.Hooks` per user task (BPMN id): a higher room registers a function for the tasks it
    knows; the id is checked against the diagrams (``portal.processes.diagram.user_task``)."""

    def __init__(self, name: str):
        self.name = name
        self._by_task: dict[str, Hooks] = {}

    def register(self, *bpmn_ids: str) -> Callable[[Callable], Callable]:
        def register(function: Callable) -> Callable:
            for bpmn_id in bpmn_ids:
                user_task(bpmn_id, function.__module__)
                self._by_task.setdefault(bpmn_id, Hooks(f"{self.name} of {bpmn_id}")).register(function)
            return function

        return register

    def results(self, bpmn_id: str, *args: Any) -> list[Any]:
        hooks = self._by_task.get(bpmn_id)
        return list(hooks.results(*args)) if hooks is not None else []


TaskContextProvider = Callable[["HumanTask", "User"], TaskPanel | None]
PANELS = TaskHooks("task panels")
#: Register the decorated function as a context provider for the user tasks given.
task_context = PANELS.register


def panels_for(task: HumanTask, user: User) -> list[TaskPanel]:
    """The panels the registered providers give for ``task``, as ``user`` may see them."""
    return [panel for panel in PANELS.results(task.bpmn_id, task, user) if panel is not None]
