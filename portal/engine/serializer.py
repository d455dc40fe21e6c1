"""The one configured SpiffWorkflow serializer.

Specs are stored once per deployed process version; a case's state holds only its task tree and
data. :class:`StateOnlyWorkflowConverter` writes the workflow without its specs and restores it
from spec objects that were deserialized once and cached per version.

Storage must stay JSON, never JSONB. A task's data is written as a delta on its parent's data and
restored in the order of the ``tasks`` object, so parents must come before children (compaction
rewrites ``tasks`` in preorder to keep it so). JSONB sorts object keys: loaded back in key order,
every task that sorts before its parent silently comes back with empty data (checked on 3.2.0;
docs/notes/long-cases.md §5). SQLAlchemy ``JSON`` on PostgreSQL is ``json``, which keeps the text
as written.
"""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.event_definitions.timer import DurationTimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from portal.engine.timers import CalendarDurationTimer

#: Bumped whenever the shape of stored state changes; stored on every workflow_instance row.
SERIALIZER_VERSION = "portal-1/spiff-1.5"


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Serialize a top-level workflow without its (version-wide) specs."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec=None, subprocess_specs=None) -> BpmnWorkflow:
        if spec is None:
            raise ValueError("state-only workflows are restored with their deployed spec")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = StateOnlyWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    # Same typename as Spiff's class: specs the parser made still serialize, and every stored
    # duration timer comes back as the calendar-month one (portal.engine.timers).
    config[DurationTimerEventDefinition](CalendarDurationTimer, registry, typename=CalendarDurationTimer.TYPENAME)
    return BpmnWorkflowSerializer(registry)


serializer = _make_serializer()


def spec_to_dict(spec) -> dict[str, Any]:
    return serializer.to_dict(spec)


def spec_from_dict(dct: dict[str, Any]):
    return serializer.from_dict(dct)


def state_to_dict(workflow: BpmnWorkflow) -> dict[str, Any]:
    return serializer.to_dict(workflow)


_SCALARS = (str, int, float, bool, type(None))


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-native data (dicts, lists, scalars), three times as fast as ``copy.deepcopy``
    (no memo, no dispatch): a stored state holds tens of thousands of values. Anything else is
    deep-copied the slow way."""
    if isinstance(value, dict):
        return {key: json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_copy(item) for item in value]
    if isinstance(value, _SCALARS):
        return value
    return copy.deepcopy(value)


def state_from_dict(dct: dict[str, Any], spec, subprocess_specs) -> BpmnWorkflow:
    # restore() mutates the dict it is given (pops keys); never hand it the stored object itself.
    return serializer.registry.restore(json_copy(dct), spec=spec, subprocess_specs=subprocess_specs)
