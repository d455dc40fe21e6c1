"""The SpiffWorkflow adapter: the only package that imports SpiffWorkflow.

It hands the rest of the portal plain dataclasses (ReadyTask, StepResult, FormSpec, LintMessage)
and JSON-native dicts; see DESIGN.md §3.
"""

from portal.engine.forms import Choice, FieldSpec, FormSchemaError, FormSpec, form_spec_from_schema
from portal.engine.limits import ScriptLimitExceeded
from portal.engine.limits import configure as configure_script_limits
from portal.engine.lint import LintMessage, lint_workflows
from portal.engine.parser import ProcessSource, SourceError, load_source
from portal.engine.runtime import (
    DeployedProcess,
    EngineError,
    ReadyTask,
    StepResult,
    TaskNotReady,
    WaitState,
    deployed_process,
)
from portal.engine.scripting import SCRIPT_HELPERS, ScriptError
from portal.engine.serializer import SERIALIZER_VERSION

__all__ = [
    "SCRIPT_HELPERS", "SERIALIZER_VERSION", "Choice", "DeployedProcess", "EngineError", "FieldSpec",
    "FormSchemaError", "FormSpec", "LintMessage", "ProcessSource", "ReadyTask", "ScriptError", "ScriptLimitExceeded",
    "SourceError", "StepResult", "TaskNotReady", "WaitState", "configure_script_limits", "deployed_process",
    "form_spec_from_schema", "lint_workflows", "load_source",
]
