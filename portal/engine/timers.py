"""Duration timers that count months like the rest of the portal (:mod:`portal.dates`).

SpiffWorkflow 3.2 turns a ``timeDuration`` into days by summing the lengths of the months it spans,
starting with the current one: from 31 January, ``"P1M"`` is 31 days and the timer fires on
3 March, where a script's ``add_duration(day, "P1M")`` and a task's ``dueIn`` give 28 February.
:class:`CalendarDurationTimer` computes the due moment with :func:`portal.dates.deadline` instead
(Dutch calendar, stored in UTC), so timers, due dates and scripts agree.

It is stored under SpiffWorkflow's own typename (``DurationTimerEventDefinition``), so specs
already deployed need no change: the serializer (:mod:`portal.engine.serializer`) restores every
duration timer as this class. Timers already waiting keep the due moment they were given.
"""

from __future__ import annotations

from datetime import UTC, datetime

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import DurationTimerEventDefinition
from SpiffWorkflow.bpmn.util import PendingBpmnEvent

from portal.dates import deadline


class CalendarDurationTimer(DurationTimerEventDefinition):
    """A ``timeDuration`` timer whose months are calendar months (see the module docstring)."""

    #: The name it is serialized and reported under (runtime.TIMER_EVENT_TYPES and stored specs).
    TYPENAME = DurationTimerEventDefinition.__name__

    def has_fired(self, my_task) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            try:
                event_value = deadline(datetime.now(UTC), expression).isoformat()
            except ValueError as exc:
                raise WorkflowTaskException(f"timer {self.name or my_task.task_spec.bpmn_id}: {exc}",
                                            task=my_task, exception=exc) from exc
            my_task._set_internal_data(event_value=event_value)
        if self.get_datetime(event_value) < datetime.now(UTC):
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)

    def details(self, my_task) -> PendingBpmnEvent:
        return PendingBpmnEvent(self.name, self.TYPENAME, my_task._get_internal_data("event_value"))
