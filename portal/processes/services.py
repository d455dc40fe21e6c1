"""Deploying the process set and finding the version a case runs on."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import select, text

from portal.audit.services import record
from portal.engine import DeployedProcess, LintMessage, deployed_process, lint_workflows, load_source
from portal.extensions import db
from portal.processes.actions import ACTIONS
from portal.processes.diagram import REQUIRED, process
from portal.processes.models import ProcessVersion

ENTRY_PROCESS = process("inburgering", __name__)


#: A lock id of our own for pg_advisory_xact_lock: deploys one at a time (the digest check, then the insert).
_DEPLOY_LOCK_ID = 0x4445_504C_4F59  # "DEPLOY"


class DeployError(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def workflows_dir() -> Path:
    return Path(current_app.config["WORKFLOWS_DIR"])


def lint(paths: list[Path] | None = None, directory: Path | None = None) -> list[LintMessage]:
    required = [(r.kind, r.id, r.used_by) for r in REQUIRED]
    return lint_workflows(directory or workflows_dir(), paths, known_actions=set(ACTIONS), required=required)


#: A files mapping holds only ``bpmn/<name>.bpmn`` and ``forms/<name>.json``.
_FOLDERS = {"bpmn": ".bpmn", "forms": ".json"}


def bad_file_names(files: dict[str, str]) -> list[str]:
    """Names in ``files`` that are not ``bpmn/<name>.bpmn`` or ``forms/<name>.json`` (no folders, no ``..``)."""
    bad = []
    for name in files:
        parts = PurePosixPath(name).parts
        if (len(parts) != 2 or parts[0] not in _FOLDERS or not parts[1].endswith(_FOLDERS[parts[0]])
                or parts[1].startswith(".") or "\\" in name):
            bad.append(name)
    return bad


@contextmanager
def materialised(files: dict[str, str]) -> Iterator[Path]:
    """A temporary ``workflows/`` directory holding ``files`` (as returned by ``source_files``).

    :raises DeployError: a name is not a workflows file.
    """
    bad = bad_file_names(files)
    if bad:
        raise DeployError([f"{name}: not a file of workflows/ (bpmn/*.bpmn or forms/*.json)" for name in bad])
    with tempfile.TemporaryDirectory(prefix="portal-workflows-") as tmp:
        root = Path(tmp) / "workflows"
        for folder in _FOLDERS:
            (root / folder).mkdir(parents=True)
        for name, text in files.items():
            (root / name).write_text(text, encoding="utf-8")
        yield root


def lint_files(files: dict[str, str]) -> list[LintMessage]:
    """Lint a set of workflows files (a draft, an upload) as ``lint()`` lints the working directory."""
    with materialised(files) as root:
        return lint(directory=root)


def deploy(user_id: int | None = None, note: str | None = None,
           files: dict[str, str] | None = None) -> tuple[ProcessVersion, bool]:
    """Lint, hash and store ``files`` (default: the current ``workflows/``) as a process version.

    :returns: the version and whether it is new (the same files deploy to the same version).
    :raises DeployError: when lint finds problems; nothing is stored then.
    """
    if files is None:
        return _deploy_from(workflows_dir(), user_id, note)
    with materialised(files) as root:
        return _deploy_from(root, user_id, note)


def _deploy_from(directory: Path, user_id: int | None, note: str | None) -> tuple[ProcessVersion, bool]:
    problems = lint(directory=directory)
    if problems:
        raise DeployError([str(m) for m in problems])
    source = load_source(directory, ENTRY_PROCESS)
    if db.session.get_bind().dialect.name == "postgresql":  # SQLite: the write transaction holds the database
        # two designers deploying the same files at once: the second waits, then finds the first's version
        db.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _DEPLOY_LOCK_ID})
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
    # The session's identity map holds rows weakly: nothing else kept the version, so the next step of the same
    # request read it again (a task page and a completion each read it twice). Held as long as the session (a
    # request; a worker's run): a commit expires it and a rollback may expunge it, as any row.
    db.session.info.setdefault("portal_versions", set()).add(version)
    return deployed_process(version.digest, lambda: version.bundle)


def runtime_for_id(version_id: int) -> DeployedProcess:
    """The deployed process of the version with this id (the row from the session's identity map when loaded)."""
    return runtime_for(db.session.get(ProcessVersion, version_id))
