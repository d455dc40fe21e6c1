"""Initial data of a task form: what a form shows before anything is typed, given by the room that knows it.

A progress meeting lists every goal of the plan in force with the newcomer's own rating beside it; the
tasks room knows neither plans nor ratings. The owning room registers a provider for the task's BPMN id
(next to its portal actions, which the app imports at start-up)::

    @task_initial_data("voortgangsgesprek")
    def goals_of_the_plan(task: HumanTask, user: User) -> dict | None:
        return {"doelen": [{"nummer": 1, "doel": "…"}]}

A provider returns task data shaped as the form's schema (``None``: nothing to fill in); the data of
several providers is merged, later ones winning per top-level field. The form shows it on a first visit;
a saved draft wins over it (the user's own typing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from portal.tasks.context import TaskHooks

if TYPE_CHECKING:
    from portal.auth.models import User
    from portal.tasks.models import HumanTask

InitialDataProvider = Callable[["HumanTask", "User"], dict[str, Any] | None]
INITIAL_DATA = TaskHooks("initial data")
#: Register the decorated function as an initial-data provider for the user tasks given.
task_initial_data = INITIAL_DATA.register


def initial_data_for(task: HumanTask, user: User) -> dict[str, Any]:
    """The task data the registered providers give for ``task`` (empty when none has any)."""
    data: dict[str, Any] = {}
    for provided in INITIAL_DATA.results(task.bpmn_id, task, user):
        data.update(provided or {})
    return data
