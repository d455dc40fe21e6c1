"""Throttling sign-in per account, whatever address the attempts come from.

Failed attempts are audit events kept through the rollback of the refused request (``keep=True``),
with the account as subject (``account:<username>``, the same for names that do not exist, so the
refusal does not tell whether an account exists). The count is read from the audit trail (index
``ix_audit_event_subject_at``); a successful sign-in starts the count afresh.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.db import utcnow
from portal.extensions import db

#: ``detail.result`` of the events that count: a wrong password, a wrong two-factor code.
PASSWORD_FAILED, CODE_FAILED = "failed", "code_failed"


def printable(text: str) -> str:
    """``text`` without control characters (a NUL cannot even be queried on PostgreSQL)."""
    return "".join(char for char in text if char.isprintable())


def account_key(username: str) -> str:
    return "account:" + printable(username).strip().lower()[:100]


def record_attempt(name: str, result: str, user_id: int | None = None, **detail) -> None:
    """Audit one sign-in attempt; failures are kept even though the request rolls back."""
    record("login", account_key(name), "auth.login", user_id=user_id,
           detail={"result": result, **detail}, keep=result != "ok")


def locked_until(username: str, result: str = PASSWORD_FAILED) -> datetime | None:
    """When sign-in for ``username`` opens again, or None if it is open now.

    Locked when the allowed number of ``result`` failures happened within the window (and since the
    last successful sign-in); it opens a window after the oldest of those failures.
    """
    allowed = current_app.config["LOGIN_FAILURES_ALLOWED"]
    window = timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    key = account_key(username)
    since = utcnow() - window
    last_ok = db.session.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.subject == key, AuditEvent.action == "login", AuditEvent.detail["result"].as_string() == "ok"))
    if last_ok is not None and last_ok > since:
        since = last_ok
    failures = list(db.session.scalars(
        select(AuditEvent.at).where(AuditEvent.subject == key, AuditEvent.action == "login", AuditEvent.at > since,
                                    AuditEvent.detail["result"].as_string() == result)
        .order_by(AuditEvent.at.desc()).limit(allowed)))
    if len(failures) < allowed:
        return None
    return failures[-1] + window

