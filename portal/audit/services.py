"""Recording audit events. Services call :func:`record`; the request commits with the change."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import column, func, select, table

from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.extensions import db

# The tables whose municipality an event belongs to (audit stands below cases and auth: no model imports).
_case = table("inburgering_case", column("id"), column("municipality_id"))
_user = table("user_account", column("id"), column("municipality_id"))


def municipality_of(case_id: int | None, user_id: int | None):
    """The municipality of an event as a SQL expression evaluated in the INSERT (no extra round trip):
    the case's, else the acting user's."""
    by_case = select(_case.c.municipality_id).where(_case.c.id == case_id).scalar_subquery()
    by_user = select(_user.c.municipality_id).where(_user.c.id == user_id).scalar_subquery()
    if case_id is None:
        return by_user if user_id is not None else None
    return func.coalesce(by_case, by_user) if user_id is not None else by_case


def record(action: str, subject: str, purpose: str, *, case_id: int | None = None,
           user_id: int | None = None, detail: dict[str, Any] | None = None,
           keep: bool | None = None, municipality_id: int | None = None) -> AuditEvent:
    """Record one audit event.

    A write is added to the session: it is stored with the change it describes, or not at all. A read
    (and any event with ``keep=True``, such as a refused signature) happened whatever the request's
    outcome: in a request it is kept aside and stored even if the transaction rolls back
    (:func:`portal.transaction.finish`); outside a request it is added to the session.

    :param action: ``read`` or ``write`` (or ``login`` …).
    :param subject: what was touched, e.g. ``case`` or ``case.health``.
    :param purpose: why, usually the endpoint or command name.
    :param municipality_id: whose trail the event belongs to when it is neither the case's nor the acting
        user's: a regional beheerder of A changing B's settings or accounts writes into B's trail.
    """
    in_request = has_request_context()
    if user_id is None and in_request and current_user and current_user.is_authenticated:
        user_id = current_user.id
    event = AuditEvent(
        at=utcnow(),
        action=action,
        subject=subject,
        purpose=purpose,
        case_id=case_id,
        user_id=user_id,
        detail=detail,
        remote_addr=request.remote_addr if in_request else None,
        municipality_id=municipality_id if municipality_id is not None else municipality_of(case_id, user_id),
    )
    if in_request and (action == "read" if keep is None else keep):
        g.setdefault("portal_kept_events", []).append(event)
    else:
        db.session.add(event)
    return event
