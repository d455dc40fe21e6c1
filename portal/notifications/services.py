"""Queueing notifications in the recipient's language, and sending them with retries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.notifications.backends import build_message, deliver
from portal.notifications.models import Notification

MAX_ATTEMPTS = 8


def queue(recipient: User, kind: str, *, case_id: int | None = None, **context: Any) -> Notification | None:
    """Render ``notifications/<kind>.txt`` (first line: subject) in the recipient's language and queue it.

    Recipients without an e-mail address get nothing (they see the same in the portal).
    """
    if not recipient.email:
        return None
    locale = recipient.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        text = render_template(f"notifications/{kind}.txt", recipient=recipient,
                               portal_url=current_app.config["PUBLIC_URL"], **context)
    subject, _, body = text.strip().partition("\n")
    notification = Notification(recipient_id=recipient.id, email=recipient.email, locale=locale, kind=kind,
                                case_id=case_id, subject=subject.strip()[:300], body=body.strip() + "\n",
                                next_attempt_at=utcnow())
    db.session.add(notification)
    return notification


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=5) * 2 ** (attempts - 1), timedelta(hours=6))


#: How long a claimed message is left to the worker that claimed it before another may retry it.
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Claimed:
    """A message taken for sending: what the worker needs to send it without the database."""

    id: int
    message: EmailMessage
    now: datetime


def claim_next(now: datetime | None = None) -> Claimed | None:
    """Take the oldest due message for sending (``SKIP LOCKED``: several workers never take one twice).

    The attempt is counted and the message leased (``next_attempt_at`` moves past the lease) so the
    caller can commit before talking to the mail server: no lock is held while mail is sent. A worker
    that dies after sending but before recording it sends the message again after the lease
    (at least once, never lost).
    """
    now = now or utcnow()
    notification = db.session.scalar(
        select(Notification).where(Notification.status == Notification.PENDING, Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id).limit(1).with_for_update(skip_locked=True))
    if notification is None:
        return None
    notification.attempts += 1
    notification.next_attempt_at = now + LEASE
    message = build_message(current_app.config["MAIL_FROM"], notification.email, notification.subject,
                            notification.body, f"<notification-{notification.id}@inburgeringsportaal>")
    db.session.flush()
    return Claimed(notification.id, message, now)


def send(claimed: Claimed) -> str | None:
    """Hand the message to the mail backend (no database work); the error text if it failed."""
    try:
        deliver(claimed.message)
    except Exception as exc:  # any delivery problem: keep the message, try again later
        return f"{type(exc).__name__}: {exc}"[:1000]
    return None


def record_delivery(claimed: Claimed, error: str | None) -> Notification:
    """Store the outcome: sent, or retried later with back-off, or failed after MAX_ATTEMPTS."""
    notification = db.session.get(Notification, claimed.id)
    if error is None:
        notification.status, notification.sent_at, notification.last_error = Notification.SENT, claimed.now, None
    else:
        notification.last_error = error
        if notification.attempts >= MAX_ATTEMPTS:
            notification.status = Notification.FAILED
        else:
            notification.next_attempt_at = claimed.now + _backoff(notification.attempts)
    db.session.flush()
    return notification
