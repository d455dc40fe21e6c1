"""Versions, per-node counts and diffs for the designer's pages and the ``portal bpmn`` CLI.

Everything here counts in SQL; a version's files are read only to draw or compare it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import undefer

from portal.auth.models import User
from portal.designer.drafts import draft_id_of, draft_or_none
from portal.engine.diff import VersionDiff, diff_files
from portal.engine.model import ProcessModel, read_processes
from portal.engine.parser import digest_files, source_files
from portal.extensions import db
from portal.processes.models import ProcessVersion
from portal.processes.services import workflows_dir
from portal.tasks.models import CaseWait, HumanTask, WorkflowInstance

WORKDIR = "workdir"


@dataclass(frozen=True)
class StepCount:
    process_id: str
    bpmn_id: str
    name: str
    count: int
    kind: str  # "task" (open user tasks), "timer" (waits for a moment) or "signal" (listens for a report)


@dataclass(frozen=True)
class VersionRow:
    id: int
    digest: str
    deployed_at: datetime
    deployed_by: str | None
    note: str | None
    running: int
    finished: int
    steps: tuple[StepCount, ...] = field(default=())

    @property
    def short_digest(self) -> str:
        return self.digest[:12]

    @property
    def open_tasks(self) -> int:
        return sum(step.count for step in self.steps if step.kind == "task")


def versions_query():
    return select(ProcessVersion).order_by(ProcessVersion.id.desc())


def version_rows(versions: list[ProcessVersion]) -> list[VersionRow]:
    """Rows for ``versions`` with cases running (and finished) on each and open tasks per step: three
    grouped queries for the whole page."""
    ids = [v.id for v in versions]
    if not ids:
        return []
    cases: dict[tuple[int, bool], int] = {
        (version_id, completed): count for version_id, completed, count in db.session.execute(
            select(WorkflowInstance.process_version_id, WorkflowInstance.completed, func.count())
            .where(WorkflowInstance.process_version_id.in_(ids))
            .group_by(WorkflowInstance.process_version_id, WorkflowInstance.completed))}
    steps = waiting_steps(ids)
    names = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_({v.deployed_by_id for v in versions if v.deployed_by_id}))).all())
    return [VersionRow(id=v.id, digest=v.digest, deployed_at=v.created_at, deployed_by=names.get(v.deployed_by_id),
                       note=v.note, running=cases.get((v.id, False), 0), finished=cases.get((v.id, True), 0),
                       steps=tuple(steps.get(v.id, ()))) for v in versions]


def waiting_steps(version_ids: list[int], municipality_id: int | None = None) -> dict[int, list[StepCount]]:
    """Per version: open user tasks and wait states per node, most first."""
    found: dict[int, list[StepCount]] = {}
    tasks = (select(HumanTask.process_version_id, HumanTask.process_id, HumanTask.bpmn_id,
                    func.min(HumanTask.title), func.count())
             .where(HumanTask.status == HumanTask.OPEN, HumanTask.process_version_id.in_(version_ids))
             .group_by(HumanTask.process_version_id, HumanTask.process_id, HumanTask.bpmn_id))
    waits = (select(CaseWait.process_version_id, CaseWait.process_id, CaseWait.bpmn_id,
                    func.min(CaseWait.name), func.count(), CaseWait.timer)
             .where(CaseWait.process_version_id.in_(version_ids))
             .group_by(CaseWait.process_version_id, CaseWait.process_id, CaseWait.bpmn_id, CaseWait.timer))
    if municipality_id is not None:
        tasks = tasks.where(HumanTask.municipality_id == municipality_id)
        waits = waits.where(CaseWait.municipality_id == municipality_id)
    for version_id, process_id, bpmn_id, name, count in db.session.execute(tasks):
        found.setdefault(version_id, []).append(StepCount(process_id, bpmn_id, name, count, "task"))
    for version_id, process_id, bpmn_id, name, count, timer in db.session.execute(waits):
        found.setdefault(version_id, []).append(StepCount(process_id, bpmn_id, name, count,
                                                          "timer" if timer else "signal"))
    for steps in found.values():
        steps.sort(key=lambda s: (-s.count, s.name))
    return found


def cases_in_scopes(version_id: int, scopes_by_node: dict[str, frozenset[str]]) -> dict[str, int]:
    """Per node (a call activity or embedded subprocess): how many distinct cases wait somewhere inside it."""
    if not scopes_by_node:
        return {}
    rows = union_all(
        select(HumanTask.case_id, HumanTask.process_id).where(
            HumanTask.status == HumanTask.OPEN, HumanTask.process_version_id == version_id),
        select(CaseWait.case_id, CaseWait.process_id).where(CaseWait.process_version_id == version_id),
    ).subquery()
    cases_by_process: dict[str, set[int]] = {}
    all_scopes = set().union(*scopes_by_node.values())
    for case_id, process_id in db.session.execute(
            select(rows.c.case_id, rows.c.process_id).where(rows.c.process_id.in_(all_scopes)).distinct()):
        cases_by_process.setdefault(process_id, set()).add(case_id)
    return {node: len(set().union(*(cases_by_process.get(s, set()) for s in scopes)))
            for node, scopes in scopes_by_node.items()}


def version_or_none(version_id: int) -> ProcessVersion | None:
    return db.session.get(ProcessVersion, version_id)


def version_by_number(number: int) -> ProcessVersion | None:
    return db.session.scalar(select(ProcessVersion).where(ProcessVersion.id == number)
                             .options(undefer(ProcessVersion.files)))


def newest_version() -> ProcessVersion | None:
    return db.session.scalar(versions_query().limit(1))


def workdir_files() -> dict[str, str]:
    return source_files(workflows_dir())


def workdir_digest() -> str:
    return digest_files(workdir_files())


_read: dict[str, dict[str, ProcessModel]] = {}


def processes_of(files: dict[str, str]) -> dict[str, ProcessModel]:
    """The processes drawn in ``files``, read once per set of files (by their digest; versions never change)."""
    digest = digest_files(files)
    if digest not in _read:
        if len(_read) >= 32:
            _read.clear()
        _read[digest] = read_processes(files)
    return _read[digest]


def files_of(source: str) -> dict[str, str] | None:
    """The files of a version number, a draft (``draft-<id>``) or ``workdir``; None when there is no such thing."""
    if source == WORKDIR:
        return workdir_files()
    draft_id = draft_id_of(source)
    if draft_id is not None:
        draft = draft_or_none(draft_id)
        return dict(draft.files) if draft is not None else None
    if not source.isdigit() or len(source) > 9:
        return None
    version = version_by_number(int(source))
    return dict(version.files) if version is not None else None


class UnknownSource(LookupError):
    """FROM or TO names no version or draft (and is not ``workdir``)."""


def diff_sources(old: str, new: str) -> VersionDiff:
    """The changes from ``old`` to ``new`` (version numbers, ``draft-<id>`` or ``workdir``).

    :raises UnknownSource: either names no version.
    :raises ValueError: a BPMN file in the working directory is not well-formed.
    """
    old_files, new_files = files_of(old), files_of(new)
    if old_files is None:
        raise UnknownSource(old)
    if new_files is None:
        raise UnknownSource(new)
    return diff_files(old_files, new_files)


def display_names(*user_ids: int | None) -> dict[int, str]:
    """``{user id: display name}`` for the given ids (None skipped), in one query."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def recent_version_ids(limit: int = 100) -> list[int]:
    """The newest deployed version numbers, newest first: the choices of the version pickers."""
    return list(db.session.scalars(select(ProcessVersion.id).order_by(ProcessVersion.id.desc()).limit(limit)))
