"""Read the process designer's ``workflows/`` folder into a deployable bundle.

A bundle is plain JSON: the serialized specs of the entry process and everything it calls, the
form schemas, and per user task its title, lane, form file and due period. It is what a
``process_version`` row stores, so running cases never depend on the files on disk.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from portal.engine.serializer import spec_to_dict

FORM_PROPERTY = "formJsonSchemaFilename"
DUE_PROPERTY = "dueIn"
ACTION_PROPERTY = "portalAction"
#: Comma-separated ids of earlier user tasks whose answers the form shows alongside (read-only).
CONTEXT_PROPERTY = "showSteps"


class SourceError(Exception):
    """The workflows folder cannot be parsed; ``messages`` say where and why."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class ProcessSource:
    """What was read from disk: raw files, their combined hash and the deployable bundle."""

    files: dict[str, str]
    digest: str
    bundle: dict[str, Any]


def source_files(workflows_dir: Path) -> dict[str, str]:
    """Every BPMN and form file, keyed by its path relative to ``workflows_dir``."""
    files = {}
    for pattern in ("bpmn/*.bpmn", "forms/*.json"):
        for path in sorted(workflows_dir.glob(pattern)):
            files[path.relative_to(workflows_dir).as_posix()] = path.read_text(encoding="utf-8")
    return files


def digest_files(files: dict[str, str]) -> str:
    sha = hashlib.sha256()
    for name in sorted(files):
        sha.update(name.encode() + b"\0" + files[name].encode("utf-8") + b"\0")
    return sha.hexdigest()


def make_parser(validate: bool = True) -> SpiffBpmnParser:
    return SpiffBpmnParser(validator=VALIDATOR if validate else None)


def form_file_for(task_spec) -> str:
    properties = (task_spec.extensions or {}).get("properties", {})
    return properties.get(FORM_PROPERTY) or f"{task_spec.bpmn_id}.json"


def user_task_meta(task_spec, process_id: str) -> dict[str, Any]:
    properties = (task_spec.extensions or {}).get("properties", {})
    return {
        "title": task_spec.bpmn_name or task_spec.bpmn_id,
        "lane": task_spec.lane,
        "form": form_file_for(task_spec),
        "due_in": properties.get(DUE_PROPERTY),
        "action": properties.get(ACTION_PROPERTY),
        "context": [step.strip() for step in (properties.get(CONTEXT_PROPERTY) or "").split(",") if step.strip()],
        "process": process_id,
    }


def load_source(workflows_dir: Path, entry: str) -> ProcessSource:
    """Parse ``workflows_dir`` and build the bundle for process ``entry``.

    :raises SourceError: when a file does not parse or a form is missing or malformed.
    """
    files = source_files(workflows_dir)
    parser = make_parser()
    messages: list[str] = []
    for name, text in files.items():
        if name.endswith(".bpmn"):
            try:
                parser.add_bpmn_str(text.encode("utf-8"), filename=name)
            except ValidationException as exc:
                messages.append(f"{name}:{getattr(exc, 'line_number', 0) or 0} {exc}")
    if messages:
        raise SourceError(messages)
    try:
        spec = parser.get_spec(entry)
        subprocess_specs = parser.get_subprocess_specs(entry)
    except ValidationException as exc:
        raise SourceError([f"{getattr(exc, 'file_name', '') or 'workflows'}:{getattr(exc, 'line_number', 0)} "
                           f"[{entry}] {exc}"]) from exc

    tasks: dict[str, dict[str, Any]] = {}
    for process in [spec, *subprocess_specs.values()]:
        for task_spec in process.task_specs.values():
            if isinstance(task_spec, UserTask):
                tasks[task_spec.bpmn_id] = user_task_meta(task_spec, process.name)
    forms = {}
    for meta in tasks.values():
        text = files.get(f"forms/{meta['form']}")
        if text is None:
            messages.append(f"forms/{meta['form']}:0 [{meta['process']}] user task has no form file")
            continue
        try:
            forms[meta["form"]] = json.loads(text)
        except json.JSONDecodeError as exc:
            messages.append(f"forms/{meta['form']}:{exc.lineno} not valid JSON: {exc.msg}")
    if messages:
        raise SourceError(messages)
    bundle = {
        "entry": entry,
        "spec": spec_to_dict(spec),
        "subprocess_specs": {name: spec_to_dict(sub) for name, sub in subprocess_specs.items()},
        "process_names": {p.name: p.description for p in [spec, *subprocess_specs.values()]},
        "tasks": tasks,
        "forms": forms,
    }
    return ProcessSource(files=files, digest=digest_files(files), bundle=bundle)
