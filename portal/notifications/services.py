"""Queueing notifications in the recipient's language, and sending them with retries."""

from __future__ import annotations

from datetime import datetime, timedelta
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


def send_one_pending(now: datetime | None = None) -> Notification | None:
    """Send the oldest due message (``SKIP LOCKED``: several workers never send one twice).

    A failure is recorded and retried later with back-off; after MAX_ATTEMPTS the message is marked
    failed. The caller commits after each message.
    """
    now = now or utcnow()
    notification = db.session.scalar(
        select(Notification).where(Notification.status == Notification.PENDING, Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id).limit(1).with_for_update(skip_locked=True))
    if notification is None:
        return None
    notification.attempts += 1
    try:
        deliver(build_message(current_app.config["MAIL_FROM"], notification.email, notification.subject,
                              notification.body, f"<notification-{notification.id}@inburgeringsportaal>"))
    except Exception as exc:  # any delivery problem: keep the message, try again later
        notification.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        if notification.attempts >= MAX_ATTEMPTS:
            notification.status = Notification.FAILED
        else:
            notification.next_attempt_at = now + _backoff(notification.attempts)
    else:
        notification.status, notification.sent_at, notification.last_error = Notification.SENT, now, None
    db.session.flush()
    return notification
