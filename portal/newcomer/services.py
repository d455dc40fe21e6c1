"""Newcomer accounts: one-time activation codes (no DigiD) and finding the newcomer's own case."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.models import User
from portal.cases.models import Case
from portal.db import utcnow
from portal.extensions import db
from portal.newcomer.models import ActivationCode
from portal.plans.documents import CODE_ALPHABET
from portal.plans.services import SignRequest, respond, sign
from portal.security import Role, hash_password
from portal.tasks.models import HumanTask
from portal.tasks.services import StaleTask, complete_task

#: The newcomer's step in the PIP process (lane Inburgeraar).
SIGN_TASK = "pip_ondertekenen"


class ActivationError(Exception):
    """The code cannot be used; ``reason`` is shown to the newcomer."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


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


def issue_code(case: Case, staff: User) -> tuple[str, ActivationCode]:
    """A new single-use code for the case's newcomer; earlier unused codes stop working."""
    user = newcomer_account(case)
    now = utcnow()
    for old in db.session.scalars(select(ActivationCode).where(
            ActivationCode.user_id == user.id, ActivationCode.used_at.is_(None), ActivationCode.revoked_at.is_(None))):
        old.revoked_at = now
    code = "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(4))
    activation = ActivationCode(user_id=user.id, code_hash=_hash(code), created_by_id=staff.id,
                                expires_at=now + timedelta(days=current_app.config["ACTIVATION_CODE_DAYS"]))
    db.session.add(activation)
    db.session.flush()
    record("write", "newcomer.activation_code", "newcomer.issue_code", case_id=case.id, user_id=staff.id)
    return code, activation


def activate(code: str, password: str, locale: str) -> User:
    """Use a code once: set the newcomer's password and language.

    :raises ActivationError: unknown, expired, replaced or already used code.
    """
    activation = db.session.scalar(select(ActivationCode).where(ActivationCode.code_hash == _hash(code)))
    now = utcnow()
    if activation is None:
        raise ActivationError(_("Deze code kennen we niet. Controleer de code op je brief."))
    if activation.used_at is not None:
        raise ActivationError(_("Deze code is al gebruikt. Log in met je wachtwoord, of vraag je regisseur om een "
                              "nieuwe code."))
    if activation.revoked_at is not None or activation.expires_at < now:
        raise ActivationError(_("Deze code is verlopen. Vraag je regisseur om een nieuwe code."))
    activation.used_at = now
    user = activation.user
    user.password_hash, user.locale, user.active = hash_password(password), locale, True
    case = newcomer_case(user)
    record("write", "newcomer.activated", "newcomer.activate", case_id=case.id if case else None, user_id=user.id)
    return user


def newcomer_case(user: User) -> Case | None:
    return db.session.scalar(select(Case).where(Case.newcomer_user_id == user.id))


def open_newcomer_task(case: Case, user: User, bpmn_id: str) -> HumanTask | None:
    return db.session.scalar(select(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN, HumanTask.bpmn_id == bpmn_id,
        HumanTask.assignee_id == user.id))


def sign_my_plan(case: Case, user: User, request: SignRequest) -> None:
    """Sign the plan in force and complete the newcomer's signing step of the PIP process.

    :raises SigningRefused, ActionRefused or StaleTask: nothing is signed then (the caller rolls back).
    """
    task = open_newcomer_task(case, user, SIGN_TASK)
    if task is None:
        raise StaleTask(None)
    sign(case, user, request)
    complete_task(task.id, {"besluit": "akkoord"}, user)


def ask_about_my_plan(case: Case, user: User, version_id: int, message: str) -> None:
    """Send a question instead of signing: the signing step completes with "vraag" and goes to the regisseur."""
    task = open_newcomer_task(case, user, SIGN_TASK)
    if task is None:
        raise StaleTask(None)
    response = respond(case, user, version_id, message)
    complete_task(task.id, {"besluit": "vraag", "bericht": response.message}, user)
