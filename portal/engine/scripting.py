"""The sandbox in which BPMN scripts, gateway conditions and timer expressions run.

Process designers write small Python expressions in the diagrams. They run with RestrictedPython:
no imports, no file access, no attribute names starting with an underscore (so no
``__subclasses__`` escape), only a whitelist of builtins and the date helpers below. Real domain
logic belongs in these helpers (reviewed, tested Python), not in the diagrams.
"""

from __future__ import annotations

import operator
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from portal import dates

# The date helpers take and return ISO strings (task data is JSON) and do their arithmetic with
# portal.dates, like due dates and duration timers, so a script and the engine always agree.


class ScriptError(Exception):
    """A script or condition in a diagram is not allowed or does not compile."""


def _as_date(value: str | date) -> date:
    """A calendar date from a date or an ISO string; a moment (with a time zone) counts as its Dutch date."""
    if isinstance(value, datetime):
        return dates.local_date(value) if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) > 10:
        moment = datetime.fromisoformat(text)
        return dates.local_date(moment) if moment.tzinfo else moment.date()
    return date.fromisoformat(text)


def today() -> str:
    """Today's date in the Netherlands, as an ISO string."""
    return dates.local_date(datetime.now(UTC)).isoformat()


def now() -> str:
    """The current moment in UTC, as an ISO string."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def add_days(day: str, days: int) -> str:
    """:func:`portal.dates.add_days` on an ISO date."""
    return dates.add_days(_as_date(day), int(days)).isoformat()


def add_weeks(day: str, weeks: int) -> str:
    """:func:`portal.dates.add_weeks` on an ISO date (the same weekday ``weeks`` later)."""
    return dates.add_weeks(_as_date(day), int(weeks)).isoformat()


def add_months(day: str, months: int) -> str:
    """Add calendar months; the 31st plus one month lands on the last day of the shorter month."""
    return dates.add_months(_as_date(day), int(months)).isoformat()


def add_years(day: str, years: int) -> str:
    """Add calendar years; 29 February lands on 28 February in a common year."""
    return dates.add_years(_as_date(day), int(years)).isoformat()


def days_between(start: str, end: str) -> int:
    return dates.days_between(_as_date(start), _as_date(end))


def add_duration(day: str, duration: str) -> str:
    """Add an ISO-8601 duration of years, months, weeks or days (``P3M``, ``P2W``, ``P1Y6M``) to a date.

    Months are calendar months (clamped to the month end), exactly as for ``dueIn`` and duration timers.
    """
    return dates.add(_as_date(day), duration).isoformat()


def moment(day: str, hour: int = 8) -> str:
    """The start of a working day (08:00 Dutch time) on ``day``, as an ISO timestamp for a timeDate timer."""
    return dates.local_moment(_as_date(day), int(hour)).isoformat(timespec="seconds")


def after_day(day: str) -> str:
    """The moment ``day`` has ended (00:00 Dutch time the next day), as an ISO timestamp: the due
    moment of a timer that escalates a deadline "uiterlijk op" ``day`` (:func:`portal.dates.after_day`)."""
    return dates.after_day(_as_date(day)).isoformat(timespec="seconds")


#: Helpers available in every script, condition and timer expression.
SCRIPT_HELPERS: dict[str, Any] = {
    "today": today,
    "now": now,
    "add_days": add_days,
    "add_weeks": add_weeks,
    "add_months": add_months,
    "add_years": add_years,
    "days_between": days_between,
    "add_duration": add_duration,
    "moment": moment,
    "after_day": after_day,
}

_INPLACE = {
    "+=": operator.add, "-=": operator.sub, "*=": operator.mul, "/=": operator.truediv,
    "//=": operator.floordiv, "%=": operator.mod, "|=": operator.or_, "&=": operator.and_,
}


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    if op not in _INPLACE:
        raise ScriptError(f"operator {op} is not allowed in scripts")
    return _INPLACE[op](x, y)


def _builtins() -> dict[str, Any]:
    allowed = dict(safe_builtins)
    allowed.update(limited_builtins)
    for name in ("dict", "list", "set", "frozenset", "sum", "min", "max", "any", "all", "enumerate",
                 "sorted", "reversed", "map", "filter"):
        allowed[name] = __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    return allowed


_BASE_GLOBALS: dict[str, Any] = {
    "__builtins__": _builtins(),
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    **SCRIPT_HELPERS,
}


@lru_cache(maxsize=1024)
def compile_expression(expression: str):
    result = compile_restricted_eval(expression.strip(), "<condition>")
    if result.errors:
        raise ScriptError("; ".join(result.errors))
    return result.code


@lru_cache(maxsize=1024)
def compile_script(script: str):
    result = compile_restricted_exec(script, "<script>")
    if result.errors:
        raise ScriptError("; ".join(result.errors))
    return result.code


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates expressions and runs scripts on task data inside the RestrictedPython sandbox."""

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        scope = dict(_BASE_GLOBALS)
        scope.update(external_context or {})
        scope.update(context)
        return eval(compile_expression(expression), scope)  # noqa: S307 - restricted bytecode

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        clashes = set(SCRIPT_HELPERS).intersection(context)
        if clashes:
            raise ScriptError(f"task data overwrites script helpers: {sorted(clashes)}")
        scope = dict(_BASE_GLOBALS)
        scope.update(external_context or {})
        scope.update(context)
        exec(compile_script(script), scope)  # noqa: S102 - restricted bytecode
        # Keep only plain data: drop the sandbox's own names, helpers and anything callable.
        result = {
            key: value
            for key, value in scope.items()
            if not key.startswith("_")
            and key not in SCRIPT_HELPERS
            and key not in (external_context or {})
            and not callable(value)
        }
        context.clear()
        context.update(result)
        return True


def make_script_engine() -> PythonScriptEngine:
    """A fresh script engine; it is not serialized, so set it after every load."""
    return PythonScriptEngine(environment=RestrictedEnvironment())
