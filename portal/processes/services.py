"""Deploying the process set and finding the version a case runs on."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import select

from portal.audit.services import record
from portal.engine import DeployedProcess, LintMessage, deployed_process, lint_workflows, load_source
from portal.extensions import db
from portal.processes.actions import ACTIONS
from portal.processes.diagram import REQUIRED, process
from portal.processes.models import ProcessVersion

ENTRY_PROCESS = process("inburgering", __name__)


class DeployError(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def workflows_dir() -> Path:
    return Path(current_app.config["WORKFLOWS_DIR"])


def lint(paths: list[Path] | None = None) -> list[LintMessage]:
    required = [(r.kind, r.id, r.used_by) for r in REQUIRED]
    return lint_workflows(workflows_dir(), paths, known_actions=set(ACTIONS), required=required)


def deploy(user_id: int | None = None, note: str | None = None) -> tuple[ProcessVersion, bool]:
    """Lint, hash and store the current ``workflows/`` as a process version.

    :returns: the version and whether it is new (the same files deploy to the same version).
    :raises DeployError: when lint finds problems; nothing is stored then.
    """
    problems = lint()
    if problems:
        raise DeployError([str(m) for m in problems])
    source = load_source(workflows_dir(), ENTRY_PROCESS)
    existing = db.session.scalar(select(ProcessVersion).where(ProcessVersion.digest == source.digest))
    if existing is not None:
        return existing, False
    version = ProcessVersion(digest=source.digest, entry_process=ENTRY_PROCESS, bundle=source.bundle,
                             files=source.files, deployed_by_id=user_id, note=note)
    db.session.add(version)
    db.session.flush()
    record("write", f"process_version:{version.id}", "processes.deploy", user_id=user_id,
           detail={"digest": source.digest})
    return version, True


def current_version() -> ProcessVersion | None:
    """The newest deployed version; new cases start on it."""
    return db.session.scalar(select(ProcessVersion).order_by(ProcessVersion.id.desc()).limit(1))


def runtime_for(version: ProcessVersion) -> DeployedProcess:
    return deployed_process(version.digest, lambda: version.bundle)
