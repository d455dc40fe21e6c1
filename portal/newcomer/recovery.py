"""The newcomer's account: the first activation code, and recovery of an account already in use.

A code sets the account's password, so whoever holds it can act as the newcomer and sign for them.
Therefore:

- only the case's own regisseur or a teamleider of the municipality may ask for a code;
- for an account the newcomer already uses (it has a password), a second person — a teamleider
  other than the one who asked — approves the request before any code exists (four eyes);
- the newcomer is told through every channel on file (e-mail now, and in the portal at the next
  login: when, and by whom);
- a signature made within :data:`RESET_SIGNATURE_WINDOW` after such a reset is marked on the plan
  page and in the audit trail.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.models import User
from portal.cases.models import Case
from portal.db import utcnow
from portal.extensions import db
from portal.newcomer.activation import code_hash
from portal.newcomer.models import AccountReset, ActivationCode
from portal.notifications.services import queue
from portal.plans.documents import CODE_ALPHABET
from portal.refusal import Refused
from portal.security import Role
from portal.tasks.models import HumanTask
from portal.tasks.worklist import WorklistNotice

#: A signature this soon after a staff-initiated reset is marked for a second look.
RESET_SIGNATURE_WINDOW = timedelta(days=14)
#: How long the newcomer's pages keep telling them about a new code for their account.
RESET_NOTICE_WINDOW = timedelta(days=30)


class RecoveryRefused(Refused):
    """A staff member may not (yet) ask for, approve or issue a code; ``reason`` says why."""


def account_in_use(case: Case) -> bool:
    """The newcomer has activated their account (it has a password): a new code is a reset."""
    return case.newcomer_user is not None and case.newcomer_user.password_hash is not None


def may_manage_account(case: Case, staff: User) -> bool:
    """The case's own regisseur or a teamleider of its municipality (the caller checked the municipality)."""
    if staff.role == Role.TEAMLEIDER.value:
        return True
    return staff.role == Role.REGISSEUR.value and case.regisseur_id == staff.id


def newcomer_account(case: Case, locale: str | None = None) -> User:
    """The case's newcomer account, created (without a password) if it does not exist yet."""
    if case.newcomer_user is not None:
        return case.newcomer_user
    user = User(username=f"v{case.v_number}", display_name=case.full_name, role=Role.INBURGERAAR.value,
                municipality_id=case.municipality_id, locale=locale, password_hash=None)
    db.session.add(user)
    db.session.flush()
    case.newcomer_user = user
    for task in db.session.scalars(select(HumanTask).where(  # tasks waiting for the newcomer
            HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN,
            HumanTask.role == Role.INBURGERAAR.value)):
        task.assignee_id = user.id
    return user


# -- four eyes before a code for an account in use ------------------------------------------------

def open_reset(case: Case) -> AccountReset | None:
    """The case's reset request that is waiting for approval or approved and not yet used."""
    return db.session.scalar(select(AccountReset).where(
        AccountReset.case_id == case.id, AccountReset.status.in_((AccountReset.REQUESTED, AccountReset.APPROVED)))
        .order_by(AccountReset.id.desc()).limit(1))


def request_reset(case: Case, staff: User, reason: str) -> AccountReset:
    """Ask a teamleider to approve a new code for an account the newcomer already uses.

    :raises RecoveryRefused: not the case's regisseur or a teamleider; the account is not in use yet
        (then the first letter needs no approval); a request is already open.
    """
    if not may_manage_account(case, staff):
        raise RecoveryRefused(_("Alleen de eigen regisseur van deze inburgeraar of een teamleider kan een nieuwe "
                                "code aanvragen."))
    if not account_in_use(case):
        raise RecoveryRefused(_("De inburgeraar heeft nog geen account in gebruik: maak gewoon een "
                                "activeringsbrief."))
    if open_reset(case) is not None:
        raise RecoveryRefused(_("Er loopt al een aanvraag voor een nieuwe code."))
    reset = AccountReset(case_id=case.id, user_id=case.newcomer_user_id, requested_by_id=staff.id,
                         reason=reason.strip(), municipality_id=case.municipality_id)
    db.session.add(reset)
    db.session.flush()
    record("write", "newcomer.account_reset:requested", "newcomer.request_reset", case_id=case.id,
           user_id=staff.id, detail={"reset": reset.id})
    return reset


def decide_reset(case: Case, reset_id: int, teamleider: User, approve: bool, note: str | None) -> AccountReset:
    """A teamleider other than the requester approves or rejects an open request.

    :raises RecoveryRefused: not a teamleider, the requester themselves, or nothing to decide.
    """
    reset = open_reset(case)
    if reset is None or reset.id != reset_id or reset.status != AccountReset.REQUESTED:
        raise RecoveryRefused(_("Deze aanvraag is al beoordeeld of bestaat niet meer."))
    if teamleider.role != Role.TEAMLEIDER.value:
        raise RecoveryRefused(_("Alleen een teamleider kan een aanvraag voor een nieuwe code beoordelen."))
    if reset.requested_by_id == teamleider.id:
        raise RecoveryRefused(_("Je kunt je eigen aanvraag niet beoordelen: een tweede persoon moet meekijken."))
    reset.status = AccountReset.APPROVED if approve else AccountReset.REJECTED
    reset.decided_by_id, reset.decided_at = teamleider.id, utcnow()
    reset.decision_note = (note or "").strip() or None
    db.session.flush()
    record("write", f"newcomer.account_reset:{reset.status}", "newcomer.decide_reset", case_id=case.id,
           user_id=teamleider.id, detail={"reset": reset.id})
    return reset


# -- the code itself -----------------------------------------------------------------------------

def issue_code(case: Case, staff: User) -> tuple[str, ActivationCode]:
    """A new single-use code for the case's newcomer; earlier unused codes stop working.

    For an account in use, only the staff member whose request was approved gets the code, once.

    :raises RecoveryRefused: not allowed for this case, or (account in use) no approved request of ``staff``.
    """
    if not may_manage_account(case, staff):
        raise RecoveryRefused(_("Alleen de eigen regisseur van deze inburgeraar of een teamleider kan een "
                                "activeringsbrief maken."))
    reset = None
    if account_in_use(case):
        reset = open_reset(case)
        if reset is None or reset.status != AccountReset.APPROVED or reset.requested_by_id != staff.id:
            raise RecoveryRefused(_("De inburgeraar gebruikt dit account al. Een nieuwe code kan pas als een "
                                    "teamleider je aanvraag heeft goedgekeurd."))
        reset.status = AccountReset.ISSUED
    user = newcomer_account(case)
    now = utcnow()
    for old in db.session.scalars(select(ActivationCode).where(
            ActivationCode.user_id == user.id, ActivationCode.used_at.is_(None), ActivationCode.revoked_at.is_(None))):
        old.revoked_at = now
    code = "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(4))
    activation = ActivationCode(user_id=user.id, code_hash=code_hash(code), created_by_id=staff.id, reset=reset,
                                expires_at=now + timedelta(days=current_app.config["ACTIVATION_CODE_DAYS"]))
    db.session.add(activation)
    db.session.flush()
    record("write", "newcomer.activation_code", "newcomer.issue_code", case_id=case.id, user_id=staff.id,
           detail={"reset": reset.id} if reset else None)
    if reset is not None:  # every channel on file: the e-mail now, the portal at the next login
        queue(user, "newcomer_account_reset", case_id=case.id, issued_at=now, issued_by=staff,
              approved_by=reset.decided_by)
    return code, activation


# -- what staff, the newcomer and the plan page are told -----------------------------------------

@dataclass(frozen=True)
class AccountState:
    """The newcomer's account as the staff account page shows it."""

    user: User | None
    in_use: bool
    #: An unused code that still works (its letter was printed).
    waiting_code: ActivationCode | None
    open_reset: AccountReset | None
    #: Every code made for this account, newest first (never the code itself).
    codes: list[ActivationCode]
    resets: list[AccountReset]


def account_state(case: Case) -> AccountState:
    user = case.newcomer_user
    if user is None:
        return AccountState(None, False, None, None, [], [])
    codes = list(db.session.scalars(select(ActivationCode).where(ActivationCode.user_id == user.id)
                                    .order_by(ActivationCode.created_at.desc(), ActivationCode.id.desc())))
    now = utcnow()
    waiting = next((c for c in codes if c.used_at is None and c.revoked_at is None and c.expires_at > now), None)
    resets = list(db.session.scalars(select(AccountReset).where(AccountReset.case_id == case.id)
                                     .order_by(AccountReset.requested_at.desc(), AccountReset.id.desc())))
    return AccountState(user, account_in_use(case), waiting, open_reset(case), codes, resets)


@dataclass(frozen=True)
class ResetNotice:
    """A code made for the newcomer's account in use: when, and by whom (role and name)."""

    issued_at: datetime
    issued_by: User
    approved_by: User | None
    used_at: datetime | None


def reset_notices(user: User, now: datetime | None = None) -> list[ResetNotice]:
    """Codes that reset the newcomer's account in the last :data:`RESET_NOTICE_WINDOW`, newest first."""
    since = (now or utcnow()) - RESET_NOTICE_WINDOW
    codes = db.session.scalars(select(ActivationCode).where(
        ActivationCode.user_id == user.id, ActivationCode.reset_id.is_not(None), ActivationCode.created_at >= since)
        .order_by(ActivationCode.created_at.desc()))
    return [ResetNotice(c.created_at, c.created_by, c.reset.decided_by, c.used_at) for c in codes]


def recent_reset(user: User, now: datetime | None = None) -> datetime | None:
    """When a staff-initiated reset of ``user``'s account was used within :data:`RESET_SIGNATURE_WINDOW`."""
    since = (now or utcnow()) - RESET_SIGNATURE_WINDOW
    return db.session.scalar(select(ActivationCode.used_at).where(
        ActivationCode.user_id == user.id, ActivationCode.reset_id.is_not(None), ActivationCode.used_at >= since)
        .order_by(ActivationCode.used_at.desc()).limit(1))


def worklist_notices(user: User) -> list[WorklistNotice]:
    """For a teamleider: requests of others waiting for their approval."""
    if user.role != Role.TEAMLEIDER.value:
        return []
    rows = db.session.execute(select(AccountReset, Case).join(Case, Case.id == AccountReset.case_id).where(
        AccountReset.municipality_id == user.municipality_id, AccountReset.status == AccountReset.REQUESTED,
        AccountReset.requested_by_id != user.id).order_by(AccountReset.requested_at).limit(50))
    return [WorklistNotice(title=_("Nieuwe activeringscode goedkeuren"), case_reference=case.reference,
                           case_name=case.full_name, since=reset.requested_at,
                           detail=_("Aangevraagd door %(name)s", name=reset.requested_by.display_name),
                           url=url_for("newcomer.account", case_id=case.id))
            for reset, case in rows]
