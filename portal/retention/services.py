"""Purging closed cases after the retention period, keeping only what the law still requires.

Two steps per case (docs/privacy.md gives the legal sources):

1. **Purge**, ``RETENTION_CASE_YEARS`` after the case was closed: the file's content goes — plan
   versions, signatures, documents, questions, the process state and every step's data, progress
   meetings, self-assessments, follow-ups, the final report, concerns, notifications, data copies,
   account recovery — and the newcomer's account is emptied and blocked (the row stays: the audit
   trail refers to it).
2. **Anonymise**: the name, birth date, V-number, BSN and the enforcement steps go too. When the case
   holds a decided warning or fine less than ``RETENTION_DECISION_YEARS`` old, the identity and those
   decisions are kept until then (a fine is collected and can be appealed), and a later run anonymises.

The case row and the audit trail remain; each step is recorded in the audit trail itself. The audit
trail has its own period (``AUDIT_RETENTION_YEARS``) and is purged by :func:`portal.retention.audit.purge_audit`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, or_, select, update

from portal.audit.services import record
from portal.auth.models import RecoveryCode, TwoFactor, User, UserSession
from portal.cases.models import Case
from portal.concerns.models import Concern
from portal.dates import add_years, local_date
from portal.enforcement.models import EnforcementStep
from portal.extensions import db
from portal.newcomer.copy_models import DataCopy
from portal.newcomer.models import AccountReset, ActivationCode
from portal.notifications.models import Notification
from portal.plans.models import Plan, PlanDocument, PlanResponse, PlanSignature, PlanVersion, TermDecision
from portal.progress.models import FinalReport, FollowUp, ProgressMeeting, SelfAssessment
from portal.retention.models import CaseRetention
from portal.tasks.models import CaseMigration, CaseWait, DeadlineExtension, HumanTask, WorkflowInstance

ANONYMOUS_NAME = "Geanonimiseerd"
#: Decisions that are kept for their own period (a decided warning or fine).
KEPT_MEASURES = (EnforcementStep.WARNING, EnforcementStep.FINE)


@dataclass
class CaseOutcome:
    reference: str
    purged: dict[str, int] = field(default_factory=dict)
    anonymised: bool = False
    kept_until: date | None = None


def _delete(model, *where) -> int:
    return db.session.execute(delete(model).where(*where).execution_options(synchronize_session=False)).rowcount or 0


def due_cases(now: datetime, case_years: int) -> list[int]:
    """Cases closed more than ``case_years`` ago that still hold something to purge or anonymise."""
    cutoff = add_years(now, -case_years)
    done = select(CaseRetention.case_id).where(CaseRetention.anonymised_at.is_not(None))
    waiting = select(CaseRetention.case_id).where(CaseRetention.anonymised_at.is_(None),
                                                  CaseRetention.kept_until > local_date(now))
    return list(db.session.scalars(select(Case.id).where(Case.closed_at.is_not(None), Case.closed_at < cutoff,
                                                         Case.id.not_in(done), Case.id.not_in(waiting))
                                   .order_by(Case.id)))


def purge_content(case: Case) -> dict[str, int]:
    """Delete the file's content and empty the newcomer's account; returns rows deleted per kind."""
    counts: dict[str, int] = {}
    versions = select(PlanVersion.id).join(Plan, PlanVersion.plan_id == Plan.id).where(Plan.case_id == case.id)
    tasks = select(HumanTask.id).where(HumanTask.case_id == case.id)
    db.session.execute(update(EnforcementStep).where(EnforcementStep.case_id == case.id)
                       .values(proposal_task_id=None).execution_options(synchronize_session=False))
    for name, model, where in (
        ("data_copy", DataCopy, [DataCopy.case_id == case.id]),
        ("follow_up", FollowUp, [FollowUp.case_id == case.id]),
        ("progress_meeting", ProgressMeeting, [ProgressMeeting.case_id == case.id]),
        ("self_assessment", SelfAssessment, [SelfAssessment.case_id == case.id]),
        ("final_report", FinalReport, [FinalReport.case_id == case.id]),
        ("concern", Concern, [Concern.case_id == case.id]),
        ("plan_signature", PlanSignature, [PlanSignature.version_id.in_(versions)]),
        ("plan_response", PlanResponse, [PlanResponse.version_id.in_(versions)]),
        ("plan_document", PlanDocument, [PlanDocument.version_id.in_(versions)]),
        ("plan_version", PlanVersion, [PlanVersion.id.in_(versions)]),
        ("plan_term_decision", TermDecision, [TermDecision.plan_id.in_(select(Plan.id).where(
            Plan.case_id == case.id))]),
        ("plan", Plan, [Plan.case_id == case.id]),
        ("notification", Notification, [or_(Notification.case_id == case.id, Notification.recipient_id
                                            == case.newcomer_user_id) if case.newcomer_user_id
                                        else Notification.case_id == case.id]),
        ("activation_code", ActivationCode, [or_(ActivationCode.user_id == case.newcomer_user_id,
                                                 ActivationCode.reset_id.in_(select(AccountReset.id).where(
                                                     AccountReset.case_id == case.id)))]),
        ("account_reset", AccountReset, [AccountReset.case_id == case.id]),
        ("case_migration", CaseMigration, [CaseMigration.case_id == case.id]),  # old engine states
        ("case_wait", CaseWait, [CaseWait.case_id == case.id]),
        ("deadline_extension", DeadlineExtension, [DeadlineExtension.case_id == case.id]),
        ("workflow_instance", WorkflowInstance, [WorkflowInstance.case_id == case.id]),
        ("human_task", HumanTask, [HumanTask.id.in_(tasks)]),
    ):
        counts[name] = _delete(model, *where)
    if case.newcomer_user_id is not None:
        user = db.session.get(User, case.newcomer_user_id)
        for model in (UserSession, TwoFactor, RecoveryCode):
            _delete(model, model.user_id == user.id)
        user.username, user.display_name = f"verwijderd-{user.id}", ANONYMOUS_NAME
        user.email = user.phone = user.password_hash = user.locale = None
        user.active = False
    case.azc_location = case.coa_contact = None
    case.permit_date = case.moved_date = case.duo_notice_date = case.brp_registration_date = None
    case.country_of_origin, case.language = "", ""
    return {name: count for name, count in counts.items() if count}


def decisions_kept_until(case: Case, decision_years: int) -> date | None:
    """The last day decided warnings or fines of the case must still be kept (None: none to keep)."""
    decided = db.session.scalar(select(EnforcementStep.decided_at).where(
        EnforcementStep.case_id == case.id, EnforcementStep.status == EnforcementStep.APPROVED,
        EnforcementStep.measure.in_(KEPT_MEASURES), EnforcementStep.decided_at.is_not(None))
        .order_by(EnforcementStep.decided_at.desc()).limit(1))
    return local_date(add_years(decided, decision_years)) if decided else None


def anonymise(case: Case) -> int:
    """Remove the identity and the enforcement steps; the row (reference, dates, municipality) stays."""
    steps = _delete(EnforcementStep, EnforcementStep.case_id == case.id)
    case.first_name, case.last_name = ANONYMOUS_NAME, ""
    case.birth_date, case.v_number, case.bsn = date(1900, 1, 1), f"X{case.id}", None
    return steps


def retain_case(case_id: int, now: datetime, decision_years: int) -> CaseOutcome:
    case = db.session.scalar(select(Case).where(Case.id == case_id).with_for_update())
    outcome = CaseOutcome(case.reference)
    state = db.session.get(CaseRetention, case.id)
    if state is None:
        outcome.purged = purge_content(case)
        state = CaseRetention(case_id=case.id, purged_at=now)
        db.session.add(state)
    kept_until = decisions_kept_until(case, decision_years)
    if kept_until is not None and kept_until > local_date(now):
        state.kept_until = outcome.kept_until = kept_until
    else:
        outcome.purged["enforcement_step"] = anonymise(case)
        state.anonymised_at, outcome.anonymised = now, True
    db.session.flush()
    record("write", "case:retention", "retention.run", case_id=case.id, user_id=None,
           detail={"purged": outcome.purged, "anonymised": outcome.anonymised,
                   "kept_until": kept_until.isoformat() if kept_until and not outcome.anonymised else None})
    return outcome


def purge_expired_copies(now: datetime, days: int) -> int:
    """Delete the content of data copies past their download period."""
    from datetime import timedelta

    return db.session.execute(update(DataCopy).where(DataCopy.produced_at < now - timedelta(days=days),
                                                     DataCopy.content.is_not(None))
                              .values(content=None).execution_options(synchronize_session=False)).rowcount or 0
