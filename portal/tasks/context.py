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
from typing import TYPE_CHECKING

from portal.processes.diagram import user_task

if TYPE_CHECKING:
    from portal.auth.models import User
    from portal.tasks.models import HumanTask


@dataclass(frozen=True)
class TaskPanel:
    """One panel above the form: a heading and (label, value) rows, rendered as a summary list."""

    title: str
    rows: tuple[tuple[str, str], ...]


TaskContextProvider = Callable[["HumanTask", "User"], TaskPanel | None]
#: BPMN id of a user task → its providers, in registration order.
PROVIDERS: dict[str, list[TaskContextProvider]] = {}


def task_context(*bpmn_ids: str) -> Callable[[TaskContextProvider], TaskContextProvider]:
    """Register the decorated function as a context provider for the user tasks ``bpmn_ids``."""

    def register(provider: TaskContextProvider) -> TaskContextProvider:
        for bpmn_id in bpmn_ids:
            user_task(bpmn_id, provider.__module__)
            providers = PROVIDERS.setdefault(bpmn_id, [])
            if provider not in providers:
                providers.append(provider)
        return provider

    return register


def panels_for(task: HumanTask, user: User) -> list[TaskPanel]:
    """The panels the registered providers give for ``task``, as ``user`` may see them."""
    panels = (provider(task, user) for provider in PROVIDERS.get(task.bpmn_id, ()))
    return [panel for panel in panels if panel is not None]
