"""Sessions that end: a server-side row per signed-in browser, an idle timeout and an absolute lifetime.

The signed cookie holds a random session id (``sid``), when the session started and when it was last
used. Each request checks the row (one indexed read, no write) and the two timestamps; logging out,
a password change and a two-factor reset revoke rows, so a copied cookie stops working on the server.
Flask-Login's remember-me cookie is never set, and even a forged one finds no session id: it cannot
bring a session back.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from flask import current_app, request, session
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from portal.audit.services import record
from portal.auth.models import User, UserSession
from portal.db import utcnow
from portal.extensions import db
from portal.security import Role

SID, STARTED, SEEN = "sid", "started", "seen"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> None:
    """A new server-side session for ``user`` in this browser (Flask-Login's ``user_logged_in`` signal)."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_hash(token), user_id=user.id, created_at=utcnow(),
                               user_agent=(request.user_agent.string or "")[:200] or None))
    db.session.flush()
    now = int(time.time())
    session[SID], session[STARTED], session[SEEN] = token, now, now


def on_login(_sender, user: User, **_extra) -> None:
    """Flask-Login's ``user_logged_in`` signal: every sign-in (password, code, activation) starts one."""
    start_session(user)


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user only while this browser's session row is live."""
    token = session.get(SID)
    if not token or not str(user_id).isdigit():
        return None
    # with the municipality whose name every staff page's header shows (a query of its own otherwise)
    user = db.session.scalar(
        select(User).options(joinedload(User.municipality)).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _hash(token), UserSession.revoked_at.is_(None), User.id == int(user_id)))
    return user if user is not None and user.is_active else None


def end_session(user: User, reason: str = "logout") -> None:
    """Revoke this browser's session row."""
    token = session.get(SID)
    if token:
        db.session.execute(update(UserSession).where(UserSession.token_hash == _hash(token),
                                                     UserSession.revoked_at.is_(None)).values(revoked_at=utcnow()))
    record("logout", "session", f"auth.{reason}", user_id=user.id)


def end_sessions(user: User, reason: str = "password") -> int:
    """Revoke every live session of ``user`` (after a password change or a two-factor reset).

    :returns: how many sessions were ended.
    """
    result = db.session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                                          UserSession.revoked_at.is_(None))
                                .values(revoked_at=utcnow()))
    count = result.rowcount or 0
    record("write", "session.revoked", f"auth.end_sessions.{reason}", user_id=user.id,
           detail={"sessions": count})
    return count


def idle_limit_seconds(user: User) -> int:
    minutes = current_app.config["NEWCOMER_SESSION_IDLE_MINUTES" if user.role == Role.INBURGERAAR
                                  else "SESSION_IDLE_MINUTES"]
    return minutes * 60


def session_expired(user: User) -> bool:
    """Whether this browser's session has been idle too long or lived too long; else mark it used now.

    Kept in the signed cookie: no database write per request.
    """
    now = int(time.time())
    started, seen = session.get(STARTED), session.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return True
    if now - seen > idle_limit_seconds(user) or now - started > current_app.config["SESSION_MAX_HOURS"] * 3600:
        return True
    session[SEEN] = now
    return False
