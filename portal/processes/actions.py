"""Portal actions: domain work a BPMN user task asks for when it completes.

A process designer names the action on the user task (``spiffworkflow:property name="portalAction"``);
the room that owns the concept registers the function. The action runs in the same transaction as
the task's completion, before the engine moves on: if it refuses, nothing is completed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.refusal import Refused

#: An action may return "facts": top-level process data derived from the domain (a term end, a
#: stagnation verdict) that the diagram's gateways and timers read. ``None`` means no facts.
Facts = dict[str, Any] | None
ACTIONS: dict[str, Callable[[ActionContext], Facts]] = {}


class ActionRefused(Refused):
    """The action cannot run with this data (e.g. signing a superseded plan); the task stays open."""


@dataclass(frozen=True)
class ActionContext:
    case: Any  # portal.cases.models.Case
    task: Any  # portal.tasks.models.HumanTask
    data: dict[str, Any]
    user: Any  # portal.auth.models.User


def portal_action(name: str) -> Callable:
    """Register the decorated function as portal action ``name``."""

    def register(fn: Callable[[ActionContext], Facts]) -> Callable[[ActionContext], Facts]:
        if name in ACTIONS and ACTIONS[name] is not fn:
            raise ValueError(f"portal action {name!r} registered twice")
        ACTIONS[name] = fn
        return fn

    return register


def run_action(name: str, context: ActionContext) -> Facts:
    """Run the action; a service's :class:`~portal.refusal.Refused` keeps the task open with its reason."""
    if name not in ACTIONS:
        raise ActionRefused(f"unknown portal action {name!r}; known: {', '.join(sorted(ACTIONS))}")
    try:
        return ACTIONS[name](context)
    except Refused as exc:
        raise ActionRefused(exc.reason) from exc
