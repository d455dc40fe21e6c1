"""The sandbox in which BPMN scripts, gateway conditions and timer expressions run.

Process designers write small Python expressions in the diagrams. What they may write is decided by
one rule set (:mod:`portal.engine.rules`, also used by ``portal bpmn lint``); every evaluation runs
with a time budget and a memory cap (:mod:`portal.engine.limits`). Real domain logic belongs in the
helpers below (reviewed, tested Python), not in the diagrams.
"""

from __future__ import annotations

import builtins
from datetime import UTC, date, datetime
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.Limits import limited_range
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from portal import dates
from portal.engine.limits import GUARDED_BUILTINS, GUARDS, Budget, Limits, ScriptLimitExceeded, stored_size
from portal.engine.rules import ALLOWED_BUILTINS, ScriptError, compile_expression, compile_script

# The date helpers take and return ISO strings (task data is JSON) and do their arithmetic with
# portal.dates, like due dates and duration timers, so a script and the engine always agree.


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

_BUILTINS: dict[str, Any] = ({name: getattr(builtins, name) for name in ALLOWED_BUILTINS}
                             | {"range": limited_range} | GUARDED_BUILTINS)

#: The sandbox's own globals; they go in after the data, so no data key can replace them.
_SANDBOX_GLOBALS: dict[str, Any] = {
    "__builtins__": _BUILTINS,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    **GUARDS,
    **SCRIPT_HELPERS,
}


def _scope(context: dict, external_context: dict | None) -> dict[str, Any]:
    scope = dict(external_context) if external_context else {}
    scope.update(context)
    scope.update(_SANDBOX_GLOBALS)
    return scope


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates expressions and runs scripts on task data inside the sandbox, each within its budget.

    :param limits: for tests; by default the process's limits (:func:`portal.engine.limits.configure`).
    """

    def __init__(self, limits: Limits | None = None):
        super().__init__()
        self.limits = limits

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        code = compile_expression(expression)
        budget = Budget(self.limits)
        result = budget.run(code, _scope(context, external_context))
        if not isinstance(result, bool | int | float | str | type(None)):
            stored_size(result, budget.limits.memory_bytes, budget)
        return result

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        clashes = set(SCRIPT_HELPERS).intersection(context)
        if clashes:
            raise ScriptError(f"task data overwrites script helpers: {sorted(clashes)}")
        code = compile_script(script)
        budget = Budget(self.limits)
        scope = _scope(context, external_context)
        budget.run(code, scope)
        # Keep only plain data: drop the sandbox's own names, helpers and anything callable.
        result = {
            key: value
            for key, value in scope.items()
            if not key.startswith("_")
            and key not in SCRIPT_HELPERS
            and key not in (external_context or {})
            and not callable(value)
        }
        # What the script made or changed must fit when it is stored.
        stored_size([v for k, v in result.items() if context.get(k) is not v], budget.limits.memory_bytes, budget)
        context.clear()
        context.update(result)
        return True


#: Most instances a multi-instance task may get from its ``loopCardinality``.
MAX_INSTANCES = 100


class SandboxScriptEngine(PythonScriptEngine):
    """Spiff's script engine on the sandbox, which also bounds a multi-instance task's cardinality."""

    def evaluate(self, task, expression, external_context=None):
        result = super().evaluate(task, expression, external_context)
        if expression == getattr(task.task_spec, "cardinality", None) and not (
                isinstance(result, int) and 0 <= result <= MAX_INSTANCES):
            small = isinstance(result, int) and result.bit_length() < 64
            shown = str(result) if small else f"(a {type(result).__name__})"
            limit = ScriptLimitExceeded("memory", f"loopCardinality {shown} is not a whole number "
                                                  f"from 0 to {MAX_INSTANCES}")
            raise WorkflowTaskException(str(limit), task=task) from limit
        return result


def make_script_engine() -> PythonScriptEngine:
    """A fresh script engine; it is not serialized, so set it after every load."""
    return SandboxScriptEngine(environment=RestrictedEnvironment())
