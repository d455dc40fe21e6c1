"""Hooks: how a lower room asks a higher one without importing it.

A room that needs a verdict from the rooms above it declares a :class:`Hooks` list; the higher room
registers a function into it from its ``actions`` module (imported by discovery when the app is
created, see :func:`portal.discover_registrations`)::

    # portal/plans/services.py (lower)
    draft_checks: Hooks[[Case, dict], str | None] = Hooks("plan draft checks")

    # portal/progress/actions.py (higher)
    @draft_checks.register
    def route_change(case, content): ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Hooks(Generic[P, R]):
    """An ordered list of functions registered by other rooms; registering twice is a no-op."""

    def __init__(self, name: str):
        self.name = name
        self._functions: list[Callable[P, R]] = []

    def register(self, function: Callable[P, R]) -> Callable[P, R]:
        if function not in self._functions:
            self._functions.append(function)
        return function

    def results(self, *args: P.args, **kwargs: P.kwargs) -> Iterator[R]:
        """Call every registered function in order, yielding each result."""
        for function in self._functions:
            yield function(*args, **kwargs)

    def first(self, *args: P.args, **kwargs: P.kwargs) -> R | None:
        """The first result that is not None (e.g. the first refusal), or None."""
        return next((result for result in self.results(*args, **kwargs) if result is not None), None)

    def __len__(self) -> int:
        return len(self._functions)
