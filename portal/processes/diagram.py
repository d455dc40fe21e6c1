"""Diagram ids the portal's Python relies on, declared by the room that relies on them.

A process designer may rename or remove any element — except these: the code looks them up by id
(the plan's form is ``pip_opstellen``'s, a concern signals ``zorg_gemeld`` …). Each room declares the
ids it uses where it uses them::

    PLAN_TASK = user_task("pip_opstellen", __name__)

and ``portal bpmn lint`` (and so every deploy) fails when the BPMN set lacks one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

USER_TASK, PROCESS, SIGNAL = "userTask", "process", "signal"


@dataclass(frozen=True, order=True)
class RequiredElement:
    kind: str  # USER_TASK, PROCESS or SIGNAL (a signal by its name)
    id: str
    used_by: str  # the module that relies on it


REQUIRED: set[RequiredElement] = set()


def _require(kind: str, element_id: str, used_by: str) -> str:
    REQUIRED.add(RequiredElement(kind, element_id, used_by))
    return element_id


def user_task(element_id: str, used_by: str) -> str:
    """Declare that ``used_by`` relies on user task ``element_id``; returns the id."""
    return _require(USER_TASK, element_id, used_by)


def process(element_id: str, used_by: str) -> str:
    """Declare that ``used_by`` relies on process ``element_id``; returns the id."""
    return _require(PROCESS, element_id, used_by)


def signal(name: str, used_by: str) -> str:
    """Declare that ``used_by`` sends or relies on BPMN signal ``name``; returns the name."""
    return _require(SIGNAL, name, used_by)
