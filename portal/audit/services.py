"""Recording audit events. Services call :func:`record`; the request commits with the change."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from portal.audit.models import AuditEvent
from portal.extensions import db


def record(action: str, subject: str, purpose: str, *, case_id: int | None = None,
           user_id: int | None = None, detail: dict[str, Any] | None = None) -> AuditEvent:
    """Add one audit event to the session (flushed with the change it describes).

    :param action: ``read`` or ``write`` (or ``login`` …).
    :param subject: what was touched, e.g. ``case`` or ``case.health``.
    :param purpose: why, usually the endpoint or command name.
    """
    if user_id is None and has_request_context() and current_user and current_user.is_authenticated:
        user_id = current_user.id
    event = AuditEvent(
        action=action,
        subject=subject,
        purpose=purpose,
        case_id=case_id,
        user_id=user_id,
        detail=detail,
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
