"""Values an app process keeps for a few seconds: what long lists offer to filter on.

At 100,000 cases a municipality's filter choices (the steps and stages in its worklist, its stages with
their counts in the case list) cost 3-18 ms to read on every page view, and they change with the
municipality's work, not with one page view. They are kept for ``LIST_CHOICES_SECONDS`` (setting
``PORTAL_LIST_CHOICES_SECONDS``; 0: never) in a ``cachetools.TTLCache`` per app, shared by the threads of
one process; each process has its own (nothing is shared between processes or hosts). Only what the caller
says is worth it is kept — a short list (a regisseur's caseload, a small municipality) is read every time,
so its choices follow each change at once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

from cachetools import TTLCache
from flask import current_app

#: Most values one process keeps (one per municipality or teamleider and kind).
MOST = 1_000

T = TypeVar("T")


def kept(key: Hashable, compute: Callable[[], tuple[T, bool]]) -> T:
    """The value kept under ``key``, or ``compute()``'s; ``compute`` returns the value and whether to keep it."""
    seconds = current_app.config["LIST_CHOICES_SECONDS"]
    if seconds <= 0:
        return compute()[0]
    cache, lock = _store(seconds)
    with lock:
        found = cache.get(key)
    if found is not None:
        return found
    value, keep = compute()
    if keep:
        with lock:
            cache[key] = value
    return value


def forget_all() -> None:
    """Drop what this process keeps (as when the time has passed; for tests and after a bulk change)."""
    store = current_app.extensions.get("portal_kept")
    if store is not None:
        with store[1]:
            store[0].clear()


def _store(seconds: int) -> tuple[TTLCache, Lock]:
    store = current_app.extensions.get("portal_kept")
    if store is None or store[0].ttl != seconds:
        store = current_app.extensions["portal_kept"] = (TTLCache(MOST, ttl=seconds), Lock())
    return store
