"""Run-time limits of the script sandbox: a time budget and a memory cap for every evaluation.

**Time.** The budget is CPU time of the evaluating thread (a busy machine or a wait for the GIL does
not count against a script). The rules leave ``for`` loops and comprehensions as the only loops (no
``while``, no functions, so no recursion), and RestrictedPython sends every one of them through
``_getiter_``: the guard there checks the deadline as the loop goes round. Nothing is traced, so
other threads and the helpers run at full speed. A step that runs in C cannot be interrupted, so
every such step is kept small instead: ``range`` is capped (RestrictedPython's 1,000), and the memory
guards below bound the size of every object a script can make, so no single builtin call takes long.

**Memory.** Every operation that can make an object much larger than its operands (``+ * ** %``,
f-strings, ``str``/``repr``, ``join``, ``replace``, ``list`` …, slices) goes through a
guard that estimates the size *before* allocating where it can, and charges it to the evaluation's
allocation budget. A script that asks for 1 GB is refused before a byte is allocated. The data a
script leaves behind is measured as it will be stored (shared references counted every time), so a
small list that expands to gigabytes of JSON is refused too, and so is every value a script puts into
a list or dict (item assignment, ``append``, ``update`` …), as it will be stored.

Both raise :class:`ScriptLimitExceeded`, which the engine turns into an ``EngineError``.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from time import perf_counter, thread_time
from typing import Any

from RestrictedPython.Guards import safer_getattr

from portal.engine.rules import ALLOWED_ATTRIBUTES, ScriptError

_SEQUENCES = (str, bytes, list, tuple)
#: Allowed methods that put more into a list or dict.
_GROWING_METHODS = frozenset({"append", "extend", "insert", "update", "setdefault"})
#: Allowed methods that return a new object (charged); the others return parts of existing ones.
_NEW_OBJECT_METHODS = frozenset({"split", "rsplit", "copy", "strip", "lstrip", "rstrip", "lower", "upper", "title",
                                 "capitalize", "casefold"})
_WORD = 8  # bytes per reference or small number in the estimates
_PIECE = 56  # bytes of a new small str object (a piece of a split text)
#: Largest whole number a script may make (about 20,000 digits); arithmetic on it stays fast.
MAX_INT_BITS = 65536
#: Most items a script may sort (sorting a million items takes about a second, uninterruptibly).
MAX_SORT = 100_000
#: Deepest nesting of data a script may leave behind (form data is a few levels deep).
MAX_DEPTH = 32


class ScriptLimitExceeded(ScriptError):
    """An evaluation ran out of its time budget (``kind`` "time") or its memory cap ("memory")."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Limits:
    time_ms: int = 100
    memory_bytes: int = 16 * 1024 * 1024


_limits = Limits()


def configure(time_ms: int | None = None, memory_mb: int | None = None) -> None:
    """Set the limits of every evaluation in this process (``create_app`` passes the config)."""
    global _limits
    _limits = Limits(time_ms=int(time_ms or Limits.time_ms),
                     memory_bytes=int(memory_mb) * 1024 * 1024 if memory_mb else Limits.memory_bytes)


class Budget:
    """The time and memory one evaluation may still use, and the guards that spend it."""

    __slots__ = ("cpu_start", "deadline", "left", "limits")

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or _limits
        self.deadline = perf_counter() + self.limits.time_ms / 1000
        self.cpu_start = thread_time()
        self.left = self.limits.memory_bytes

    # -- spending --------------------------------------------------------------------------------
    def check_time(self) -> None:
        """Past the (cheap, wall-clock) deadline, count what matters: this thread's CPU time. A
        script that waited for the GIL or a busy machine gets the rest of its budget, not an error."""
        if perf_counter() <= self.deadline:
            return
        used = thread_time() - self.cpu_start
        budget = self.limits.time_ms / 1000
        if used > budget:
            raise ScriptLimitExceeded("time", f"the script ran longer than its time budget of "
                                              f"{self.limits.time_ms} ms (a loop that does not end?)")
        self.deadline = perf_counter() + (budget - used)

    def charge(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise ScriptLimitExceeded("memory", f"the script needs more memory than its cap of "
                                                f"{self.limits.memory_bytes // (1024 * 1024)} MB")
        self.check_time()

    def run(self, code, scope: dict[str, Any]) -> Any:
        """Run compiled sandbox code with the guards charging this budget (other threads have their own)."""
        previous, _local.budget = getattr(_local, "budget", None), self
        try:
            return eval(code, scope)  # noqa: S307 - restricted bytecode, compiled by portal.engine.rules
        finally:
            _local.budget = previous

    # -- guards (injected into the sandbox's globals) ----------------------------------------------
    def binop(self, op: str, a: Any, b: Any) -> Any:
        """``a op b`` for ``+ * ** %``, refused before allocating when the result would be too large."""
        if op == "*":
            if isinstance(b, int) and isinstance(a, _SEQUENCES):
                self.charge(max(b, 0) * _size(a))
            elif isinstance(a, int) and isinstance(b, _SEQUENCES):
                self.charge(max(a, 0) * _size(b))
            elif isinstance(a, int) and isinstance(b, int):
                self._number(a.bit_length() + b.bit_length())
            return a * b
        if op == "+":
            if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
                self.charge(_size(a) + _size(b))
            return a + b
        if op == "**":
            if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
                self._number(b * a.bit_length())
            return a**b
        if isinstance(a, str | bytes):  # op == "%"
            raise ScriptError("formatting with % is not allowed in scripts; use an f-string")
        return a % b

    def _number(self, bits: int) -> None:
        """Arithmetic on huge whole numbers runs long in C (division is quadratic): cap their size."""
        if bits > MAX_INT_BITS:
            raise ScriptLimitExceeded("memory", f"a number in the script would have more than {MAX_INT_BITS} bits")
        self.charge(bits // 8)

    def inplace(self, op: str, a: Any, b: Any) -> Any:
        """``a op= b`` (RestrictedPython's ``_inplacevar_``)."""
        if op in ("+=", "*=", "%="):
            return self.binop(op[:-1], a, b)
        if op not in _INPLACE:
            raise ScriptError(f"operator {op} is not allowed in scripts")
        return _INPLACE[op](a, b)

    def format(self, value: Any) -> Any:
        """A value placed in an f-string: its text must fit in the memory cap."""
        if not isinstance(value, str | int | float | bool | type(None)):
            self.charge(stored_size(value, self.left, self))
        return value

    def getattr(self, obj: Any, name: str, default: Any = None) -> Any:
        if name not in ALLOWED_ATTRIBUTES:
            raise ScriptError(f"attribute {name!r} is not allowed in scripts")
        method = safer_getattr(obj, name, default)
        if name == "join" and isinstance(obj, str | bytes):
            return self._join(obj)
        if name == "replace" and isinstance(obj, str | bytes):
            return self._replace(obj)
        if name in ("split", "rsplit") and isinstance(obj, str | bytes):
            return self._split(obj, method)
        if name == "sort" and isinstance(obj, list):
            return self._checked(method, lambda *args, **kwargs: _sortable(obj))
        if name in _GROWING_METHODS and isinstance(obj, list | dict):
            # what goes into stored data is charged as it will be stored (one big text appended 999 times)
            return self._checked(method, lambda *args, **kwargs: stored_size([args, kwargs], self.left, self))
        if name in _NEW_OBJECT_METHODS and callable(method):
            return self._charged(method)
        return method

    def getiter(self, iterable: Any) -> Iterator:
        """Every ``for`` loop and comprehension iterates through here: check the time as it goes."""
        check = self.check_time
        for count, item in enumerate(iterable):
            if not count & 31:
                check()
            yield item

    def write(self, obj: Any) -> _Writable:
        """``obj[key] = value`` becomes ``_write_(obj)[key] = value``: the value is charged as stored."""
        return _Writable(obj, self)

    def getitem(self, obj: Any, key: Any) -> Any:
        value = obj[key]
        if isinstance(key, slice):
            self.charge(_size(value))
        return value

    def str_(self, *args: Any) -> str:
        return str(*map(self.format, args))

    def repr_(self, value: Any) -> str:
        return repr(self.format(value))

    def _charged(self, function: Callable) -> Callable:
        def charged(*args, **kwargs):
            result = function(*args, **kwargs)
            self.charge(_size(result))
            return result
        return charged

    def _checked(self, function: Callable, cost: Callable[..., int]) -> Callable:
        def checked(*args, **kwargs):
            self.charge(cost(*args, **kwargs))
            return function(*args, **kwargs)
        return checked

    def _join(self, separator: str | bytes) -> Callable:
        def join(items):
            items = list(items)
            self.charge(sum(map(len, items)) + len(separator) * max(len(items) - 1, 0))
            return separator.join(items)
        return join

    def _split(self, text: str | bytes, method: Callable) -> Callable:
        def split(sep=None, maxsplit: int = -1):
            pieces = len(text) // 2 + 1 if sep is None else text.count(sep) + 1
            pieces = pieces if maxsplit < 0 else min(pieces, maxsplit + 1)
            self.charge(pieces * _PIECE + len(text))  # every piece is a new object
            return method(sep, maxsplit)
        return split

    def _replace(self, text: str | bytes) -> Callable:
        def replace(old, new, count: int = -1):
            found = len(text) + 1 if not old else text.count(old)
            found = found if count < 0 else min(found, count)
            self.charge(len(text) + found * max(len(new) - len(old), 0))
            return text.replace(old, new, count)
        return replace

    def pow_(self, base, exp, mod=None):
        if mod is None:
            return self.binop("**", base, exp)
        if isinstance(exp, int) and exp.bit_length() > MAX_INT_BITS:
            self._number(exp.bit_length())
        return pow(base, exp, mod)

    def round_(self, number, ndigits=None):
        if ndigits is not None and abs(ndigits) > 100:  # round(1, -10**7) computes 10**(10**7)
            raise ScriptError("round() takes at most 100 digits in scripts")
        return round(number, ndigits)

    def sum_(self, items, start=0):
        if not isinstance(start, int | float):
            raise ScriptError("sum() adds numbers only in scripts")
        return sum(items, start)


class _Writable:
    """What a script assigns items through: the target, with every stored value charged first.
    It has no attributes to set, so ``obj.name = value`` fails."""

    __slots__ = ("_budget", "_target")

    def __init__(self, target: Any, budget: Budget):
        self._target, self._budget = target, budget

    def __setitem__(self, key: Any, value: Any) -> None:
        self._budget.charge(stored_size(value, self._budget.left, self._budget))
        self._target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._target[key]


def _sortable(items: Any) -> int:
    """Sorting runs in C and cannot be stopped halfway: refuse lists it would take long to sort."""
    if len(items) > MAX_SORT:
        raise ScriptLimitExceeded("time", f"sorting more than {MAX_SORT:,} items takes too long for a script")
    return 0


def _size(value: Any) -> int:
    """An estimate of the memory ``value`` holds itself, in bytes: a container holds references only
    (its items are shared, not copied); how large it stores is :func:`stored_size`'s question."""
    if isinstance(value, str):
        return len(value) if value.isascii() else 4 * len(value)
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, int):
        return value.bit_length() // 8
    if isinstance(value, list | tuple | set | frozenset):
        return _WORD * len(value)
    if isinstance(value, dict):
        return 3 * _WORD * len(value)
    return 0


def stored_size(value: Any, limit: int, budget: Budget | None = None) -> int:
    """The size of ``value`` as stored in JSON (shared parts counted each time they appear).

    :raises ScriptLimitExceeded: as soon as the count passes ``limit`` (so the walk stays short).
    """
    total, stack, steps = 0, [(value, 0)], 0
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, dict | list | tuple | set | frozenset):
            if depth >= MAX_DEPTH:
                raise ScriptLimitExceeded("memory", f"the script's data is nested more than {MAX_DEPTH} levels deep")
            parts = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            total += 2 + 2 * len(item)
            stack.extend((part, depth + 1) for part in parts)
        else:
            total += _WORD
        if total > limit:
            raise ScriptLimitExceeded("memory", f"the script's data would take more than "
                                                f"{limit // 1024} kB to store")
        steps += 1
        if budget is not None and not steps % 4096:
            budget.check_time()
    return total


_local = threading.local()


def _guard(name: str) -> Callable:
    """A function for the sandbox's globals that calls ``Budget.<name>`` on the running evaluation's
    budget (so the globals are built once, not per evaluation)."""
    method = getattr(Budget, name)

    def guard(*args, **kwargs):
        return method(_local.budget, *args, **kwargs)

    guard.__name__ = name.rstrip("_")
    return guard


def _charged_builtin(function: Callable) -> Callable:
    """``list``, ``set``, ``sorted`` …: charged before they run when the size is known (every
    character of a text becomes an item), after they ran when it is not (an iterator)."""

    def charged(*args, **kwargs):
        budget = _local.budget
        source = args[0] if args else None
        if function is sorted and hasattr(source, "__len__"):
            _sortable(source)
        if isinstance(source, str | bytes):
            budget.charge(len(source) * (_WORD + _PIECE))
        elif hasattr(source, "__len__"):
            budget.charge(len(source) * _WORD)
        else:
            result = function(*args, **kwargs)
            budget.charge(_size(result))
            return result
        return function(*args, **kwargs)

    charged.__name__ = function.__name__
    return charged


#: RestrictedPython's guard names and ``portal.engine.rules``' ones, bound to the running budget.
GUARDS: dict[str, Callable] = {
    "_getattr_": _guard("getattr"), "_getitem_": _guard("getitem"), "_getiter_": _guard("getiter"),
    "_inplacevar_": _guard("inplace"), "_binop_": _guard("binop"), "_format_": _guard("format"),
    "_write_": _guard("write"),
}
#: Size-checked versions of the builtins that build or render whole objects.
GUARDED_BUILTINS: dict[str, Callable] = {
    **{name: _charged_builtin(getattr(builtins, name)) for name in ("list", "tuple", "set", "frozenset", "dict",
                                                                   "sorted")},
    "str": _guard("str_"), "repr": _guard("repr_"), "pow": _guard("pow_"), "sum": _guard("sum_"),
    "round": _guard("round_"),
}

_INPLACE = {
    "-=": lambda a, b: a - b, "/=": lambda a, b: a / b, "//=": lambda a, b: a // b,
    "|=": lambda a, b: a | b, "&=": lambda a, b: a & b,
}
