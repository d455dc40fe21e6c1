"""The workflow service: moving cases through their process (start, complete, draft, signal, timers).

Each function follows DESIGN.md §3 "per request": lock the case row, load the workflow, step,
act, step, save, project the ready tasks into ``human_task``, audit — and flush. The caller (a
view or a CLI command) commits once.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from portal.audit.services import record
from portal.auth.models import User
from portal.cases.models import Case
from portal.cases.services import lock_case
from portal.db import utcnow
from portal.engine import SERIALIZER_VERSION, DeployedProcess, EngineError, FormSpec, StepResult, TaskNotReady
from portal.extensions import db
from portal.notifications.services import queue
from portal.processes.actions import ActionContext, ActionRefused, run_action
from portal.processes.models import ProcessVersion
from portal.processes.services import current_version, runtime_for, runtime_for_id
from portal.refusal import Refused
from portal.security import LANE_ROLES, Role
from portal.tasks.models import CaseWait, HumanTask, WorkflowInstance
from portal.tasks.worklist import refresh_step_due

logger = logging.getLogger(__name__)


class StepFailed(ActionRefused):
    """The process could not take the step (a script over its time or memory budget, a condition that
    failed …): nothing is stored, the task stays open. An ``ActionRefused``, so every view that shows
    a refused step shows this reason too."""


def _engine_failed(case: Case, exc: EngineError) -> None:
    """Log for the process designer where the process failed: ids and the sandbox's own message, no data."""
    if exc.limit:
        logger.warning("BPMN %s/%s of case %s exceeded its %s budget: %s",
                       exc.process_id, exc.element_id, case.id, exc.limit, exc)
    else:  # Spiff's message may quote task data: log the kind of error only
        cause = exc.__cause__
        logger.warning("BPMN %s/%s of case %s failed: %s", exc.process_id, exc.element_id, case.id,
                       getattr(cause, "error_type", None) or type(cause).__name__)


def _step_failed(case: Case, exc: EngineError) -> StepFailed:
    _engine_failed(case, exc)
    step = exc.element_id or "?"
    if exc.limit:
        return StepFailed(_("Deze stap kon niet worden afgerond: een rekenregel in het proces (%(step)s) duurde "
                            "te lang of gebruikte te veel geheugen. Er is niets opgeslagen en de taak staat nog "
                            "open. De fout is gelogd voor de procesontwerper.", step=step))
    return StepFailed(_("Deze stap kon niet worden afgerond door een fout in het proces (%(step)s). Er is niets "
                        "opgeslagen en de taak staat nog open. De fout is gelogd voor de procesontwerper.", step=step))


class StaleTask(Exception):
    """The task was completed or withdrawn in the meantime (another tab, a colleague, a timer)."""


class InvalidSubmission(Exception):
    def __init__(self, violations: list):
        super().__init__("; ".join(f"{'/'.join(v.path)}: {v.message}" for v in violations))
        self.violations = violations


class NoProcessDeployed(Exception):
    """No process version exists yet: run ``portal bpmn deploy``."""


def case_start_data(case: Case) -> dict[str, Any]:
    """The little the process needs to know of a case (no names, no BSN in engine state), the
    escalation deadlines in force when it starts, and the date the first PIP is due."""
    return {"case": {"reference": case.reference, "koppeling_datum": case.koppeling_date.isoformat(),
                     "gemeente": case.municipality.code},
            # the municipality's terms (beheerder, portal.admin.settings) over the portal's defaults: kept in
            # the case's process data, so a later change is for new cases only
            "termijnen": {**current_app.config["ESCALATION"], **(case.municipality.escalation_terms or {})},
            "pip_uiterlijk": case.pip_deadline.isoformat() if case.pip_deadline else None,
            "plan_vastgesteld": False}


def start_workflow(case: Case, user_id: int | None) -> WorkflowInstance:
    """Start the newest process version for ``case``.

    :raises NoProcessDeployed: no version exists yet.
    :raises StepFailed: the process failed before its first wait (nothing is stored; the caller rolls back).
    """
    version = current_version()
    if version is None:
        raise NoProcessDeployed()
    try:
        result = runtime_for(version).start(case_start_data(case))
    except EngineError as exc:
        _engine_failed(case, exc)
        step = exc.element_id or "?"
        raise StepFailed(_("Het proces kon niet starten door een fout in het proces (%(step)s). Er is niets "
                           "opgeslagen. De fout is gelogd voor de procesontwerper.", step=step)) from exc
    instance = WorkflowInstance(case=case, process_version=version, state=result.state,
                                serializer_version=SERIALIZER_VERSION)
    db.session.add(instance)
    db.session.flush()
    _project(case, instance, version, result, actor_id=user_id)
    record("write", "workflow", "tasks.start", case_id=case.id, user_id=user_id,
           detail={"process_version": version.id})
    return instance


def _instance(case: Case) -> WorkflowInstance:
    """The case's workflow as stored now, with its process version: read after the case lock, it is what the next
    step starts from. One read, also when the session holds the row already (``populate_existing``): a timer
    worker refreshed it twice more, and each read is the whole state (39 KB of JSON at 100,000 cases); the
    version came in a read of its own (a worker's session holds it, expired by each commit)."""
    return db.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == case.id)
                             .options(joinedload(WorkflowInstance.process_version))
                             .execution_options(populate_existing=True))


def case_runtime(case: Case) -> DeployedProcess:
    """The deployed process the case runs on (cached; the workflow state is not loaded: a case page asks
    for it several times, and each whole row was 16–43 KB of JSON to read and parse)."""
    version_id = db.session.scalar(select(WorkflowInstance.process_version_id)
                                   .where(WorkflowInstance.case_id == case.id))
    return runtime_for_id(version_id)


def _task_runtime(task: HumanTask) -> DeployedProcess:
    return runtime_for_id(task.process_version_id)


def form_spec_for(task: HumanTask) -> FormSpec:
    return _task_runtime(task).form_spec(task.bpmn_id)


def context_tasks(task: HumanTask) -> list[HumanTask]:
    """The latest completed earlier steps this task's form shows alongside (BPMN ``showSteps``)."""
    shown = []
    for bpmn_id in _task_runtime(task).tasks.get(task.bpmn_id, {}).get("context", []):
        earlier = db.session.scalar(select(HumanTask).where(
            HumanTask.case_id == task.case_id, HumanTask.bpmn_id == bpmn_id, HumanTask.status == HumanTask.COMPLETED)
            .order_by(HumanTask.completed_at.desc()).limit(1))
        if earlier is not None:
            shown.append(earlier)
    return shown


def complete_task(task_id: int, data: dict[str, Any], user: User) -> HumanTask:
    """Complete an open task with validated form data.

    :raises StaleTask: the task is no longer open.
    :raises InvalidSubmission: the data does not satisfy the task's JSON Schema.
    :raises StepFailed: the process could not take the step (e.g. a script over its budget).
    """
    task = db.session.get(HumanTask, task_id)
    case = lock_case(task.case_id)
    db.session.refresh(task)  # re-read after the lock: a concurrent request may have completed it
    if not task.is_open:
        raise StaleTask(task_id)
    instance = _instance(case)
    version = instance.process_version
    runtime = runtime_for(version)
    violations = runtime.form_spec(task.bpmn_id).violations(data)
    if violations:
        raise InvalidSubmission(violations)
    action = runtime.tasks.get(task.bpmn_id, {}).get("action")
    facts = None
    if action:  # domain work the step asks for (e.g. a new plan version); may refuse
        facts = run_action(action, ActionContext(case=case, task=task, data=data, user=user))
    try:
        result = runtime.complete(instance.state, task.engine_task_id, data, facts)
    except TaskNotReady as exc:
        raise StaleTask(task_id) from exc
    except EngineError as exc:
        raise _step_failed(case, exc) from exc
    now = utcnow()
    task.status, task.submitted_data = HumanTask.COMPLETED, data
    task.completed_at, task.completed_by_id = now, user.id
    task.draft = None
    try:
        _save(case, instance, version, result, actor_id=user.id)
    except StaleDataError as exc:  # another request saved this workflow since we loaded it
        raise StaleTask(task_id) from exc
    record("write", f"task:{task.bpmn_id}", "tasks.complete", case_id=case.id, user_id=user.id,
           detail={"human_task": task.id})
    return task


class DraftTooLarge(Refused):
    """The draft is larger than ``DRAFT_MAX_BYTES``; nothing is saved."""


def save_draft(task: HumanTask, raw: dict[str, list[str]], user: User) -> None:
    """Keep what was typed so far (valid or not) on the open task.

    :raises StaleTask: the task is no longer open.
    :raises DraftTooLarge: the draft is larger than the portal keeps.
    """
    limit = current_app.config["DRAFT_MAX_BYTES"]
    if len(json.dumps(raw, ensure_ascii=False).encode()) > limit:
        raise DraftTooLarge(_("Dit concept is te groot om op te slaan (meer dan %(kb)d kB). Maak de teksten "
                              "korter.", kb=limit // 1024))
    lock_case(task.case_id)  # the case row first, as every write does
    db.session.refresh(task)
    if not task.is_open:
        raise StaleTask(task.id)
    task.draft, task.draft_saved_at, task.draft_saved_by_id = raw, utcnow(), user.id
    record("write", f"task:{task.bpmn_id}:draft", "tasks.save_draft", case_id=task.case_id, user_id=user.id)


class NotListening(Refused):
    """The case's process takes no such report now (it has ended, or is past the phase that listens)."""


def signal_case(case: Case, name: str, opens: str, actor_id: int | None, *, reuse_open: bool = True) -> HumanTask:
    """Deliver BPMN signal ``name`` (a report from outside) and return the task ``opens`` it opened.

    Idempotent: while a task ``opens`` is open for the case, a second report returns that task and
    signals nothing (two clicks, two colleagues, a retried request never make a duplicate). Pass
    ``reuse_open=False`` for reports that are distinct each time (the caller checks for identical ones).

    :raises NotListening: the process opened no such task; the caller rolls back.
    """
    case = lock_case(case.id)  # the case row first; concurrent reports queue here and then find the open task
    if reuse_open:
        already = db.session.scalar(select(HumanTask).where(
            HumanTask.case_id == case.id, HumanTask.bpmn_id == opens, HumanTask.status == HumanTask.OPEN)
            .order_by(HumanTask.id).limit(1))
        if already is not None:
            return already
    instance = _instance(case)
    version = instance.process_version
    refused = NotListening(_("Het proces van dit dossier neemt deze melding nu niet aan."))
    try:
        result = runtime_for(version).signal(instance.state, name)
    except EngineError as exc:
        _engine_failed(case, exc)
        raise refused from exc
    task = next((t for t in _save(case, instance, version, result, actor_id=actor_id) if t.bpmn_id == opens), None)
    if task is None:
        raise refused
    record("write", f"workflow:signal:{name}", "tasks.signal", case_id=case.id, user_id=actor_id)
    return task


def advance_due_instance(now: datetime) -> int | None:
    """Fire the timers of one due case; returns its case id, or None if none is due.

    The case row is the first lock, as in the web: the due case is taken ``FOR UPDATE SKIP LOCKED``
    (PostgreSQL), so parallel workers on several hosts never fire one timer twice and a worker never
    waits for a case a user is working on — it takes the next one and comes back later. The caller
    commits after each case.
    """
    seen: set[int] = set()
    while True:
        case = db.session.scalar(
            select(Case)
            .join(WorkflowInstance, WorkflowInstance.case_id == Case.id)
            # strictly before now: SpiffWorkflow fires a timer only once its moment has passed
            .where(WorkflowInstance.next_timer_due < now, WorkflowInstance.completed.is_(False))
            .order_by(WorkflowInstance.next_timer_due)
            .limit(1)
            .with_for_update(of=Case, skip_locked=True)
        )
        if case is None:
            return None
        instance = _instance(case)  # read after the lock: a web request may have moved this case before
        if case.id in seen or _due(instance, now):
            return _advance(case, instance, now)
        # Another worker fired it between our query and our lock (the lock is on the case row, the
        # due moment on the instance): not a case this worker fired; take the next one.
        seen.add(case.id)


def _due(instance: WorkflowInstance, now: datetime) -> bool:
    return not instance.completed and instance.next_timer_due is not None and instance.next_timer_due < now


def advance_case(case: Case, now: datetime) -> None:
    """Fire whatever timers of this one case are due at ``now`` (demo and tests on a moved clock)."""
    case = lock_case(case.id)
    _advance(case, _instance(case), now)


def _advance(case: Case, instance: WorkflowInstance, now: datetime) -> int:
    """Fire the due timers of ``case``, whose row the caller has locked and whose ``instance`` it read after the
    lock (:func:`_instance`)."""
    if not _due(instance, now):
        db.session.flush()
        return case.id
    version = instance.process_version
    try:
        result = runtime_for(version).advance(instance.state)
    except EngineError as exc:
        _engine_failed(case, exc)
        # Never let one broken case block the others: record the error and retry in an hour.
        instance.last_error = str(exc)[:2000]
        instance.next_timer_due = now + timedelta(hours=1)
        record("write", "workflow:error", "timers.run", case_id=case.id, detail={"error": str(exc)[:500]})
        return case.id
    _save(case, instance, version, result)
    record("write", "workflow:timers", "timers.run", case_id=case.id)
    return case.id


def save_moved(case: Case, instance: WorkflowInstance, version: ProcessVersion, result: StepResult) -> list[HumanTask]:
    """Store a case that a migration moved to ``version`` (its open tasks keep their engine ids)."""
    instance.process_version_id = version.id
    instance.process_version = version
    instance.serializer_version = SERIALIZER_VERSION
    for task in db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                           HumanTask.status == HumanTask.OPEN)):
        task.process_version_id = version.id
    return _save(case, instance, version, result)


def _save(case: Case, instance: WorkflowInstance, version: ProcessVersion, result: StepResult,
          actor_id: int | None = None) -> list[HumanTask]:
    instance.state = result.state
    instance.last_error = None
    return _project(case, instance, version, result, actor_id)


def _assignee(case: Case, role: Role | None) -> int | None:
    """Regisseur tasks go to the case's regisseur, newcomer tasks to the newcomer; others to the team."""
    if role == Role.REGISSEUR:
        return case.regisseur_id
    if role == Role.INBURGERAAR:
        return case.newcomer_user_id
    return None


def _project(case: Case, instance: WorkflowInstance, version: ProcessVersion, result: StepResult,
             actor_id: int | None = None) -> list[HumanTask]:
    """Write the engine's view (ready tasks, wait states, next timer) into SQL; tell whoever gets new work.

    Returns the tasks that opened."""
    instance.next_timer_due = result.next_timer_due
    instance.completed = result.completed
    open_tasks = {t.engine_task_id: t for t in db.session.scalars(
        select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN))}
    ready_ids = {ready.id for ready in result.ready_tasks}
    new_tasks: list[HumanTask] = []
    for engine_id, task in open_tasks.items():
        if engine_id not in ready_ids:
            task.status = HumanTask.CANCELLED  # withdrawn by the process (e.g. an interrupting timer)
    for ready in result.ready_tasks:
        if ready.id in open_tasks:
            continue
        role = LANE_ROLES.get(ready.lane or "")
        new_tasks.append(HumanTask(
            case_id=case.id, municipality_id=case.municipality_id, process_version_id=version.id,
            engine_task_id=ready.id, bpmn_id=ready.bpmn_id, process_id=ready.process_id, title=ready.title,
            lane=ready.lane, role=role.value if role else None,
            assignee_id=_assignee(case, role), due_at=ready.due_at, origin_task_id=ready.origin,
            origin_due_at=ready.origin_due,
        ))
    db.session.add_all(new_tasks)
    _project_waits(case, version, result)
    db.session.flush()
    for task in new_tasks:
        notify_new_task(case, task, actor_id)
    if result.completed:
        stage, label = "afgerond", "Afgerond"
    elif result.ready_tasks:
        stage = result.ready_tasks[0].process_id
        label = runtime_for(version).process_name(stage)
    elif result.waiting:  # a timer says where the case stands; a branch waiting for reports does not
        wait = next((w for w in result.waiting if w.timer), result.waiting[0])
        stage, label = wait.bpmn_id, wait.name
    else:
        stage, label = "bezig", "In behandeling"
    if stage != case.stage:
        case.stage, case.stage_label, case.stage_since = stage, label, utcnow()
    if result.completed and case.closed_at is None:
        case.closed_at = utcnow()
    refresh_step_due(case, [*open_tasks.values(), *new_tasks])
    db.session.flush()
    return new_tasks


def _project_waits(case: Case, version: ProcessVersion, result: StepResult) -> None:
    """Keep ``case_wait`` equal to the engine's wait states (timers, signals) of the case: only changes are written."""
    rows = db.session.scalars(select(CaseWait).where(CaseWait.case_id == case.id))
    current = {(w.process_id, w.bpmn_id): w for w in rows}
    wanted = {(w.process_id, w.bpmn_id): w for w in result.waiting}
    for key, row in current.items():
        if key not in wanted or row.process_version_id != version.id:
            db.session.delete(row)
    for key, wait in wanted.items():
        row = current.get(key)
        if row is None or row.process_version_id != version.id:
            db.session.add(CaseWait(case_id=case.id, municipality_id=case.municipality_id,
                                    process_version_id=version.id, process_id=wait.process_id, bpmn_id=wait.bpmn_id,
                                    name=wait.name[:200], timer=wait.timer, since=utcnow()))


def notify_new_task(case: Case, task: HumanTask, actor_id: int | None) -> None:
    """E-mail whoever gets new work, unless they caused it themselves (no mail for your own next step)."""
    if task.assignee_id is not None:
        recipients = [db.session.get(User, task.assignee_id)]
    elif task.role == Role.TEAMLEIDER.value:
        recipients = list(db.session.scalars(select(User).where(
            User.municipality_id == case.municipality_id, User.role == Role.TEAMLEIDER.value, User.active.is_(True))))
    else:
        recipients = []
    for recipient in recipients:
        if recipient is None or recipient.id == actor_id:
            continue
        kind = "newcomer_task" if recipient.role == Role.INBURGERAAR.value else "task_assigned"
        queue(recipient, kind, case_id=case.id, task=task)
