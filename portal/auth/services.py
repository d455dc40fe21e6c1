"""Logging in and the user's language."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.services import record
from portal.auth.models import User
from portal.auth.sessions import end_sessions
from portal.auth.throttle import PASSWORD_FAILED, printable, record_attempt
from portal.db import utcnow
from portal.extensions import db
from portal.security import hash_password, password_needs_rehash, verify_password

# A hash to verify against when the user does not exist, so both paths take the same time.
_DUMMY_HASH = hash_password("not-a-real-password")


def authenticate(username: str, password: str) -> User | None:
    """The user whose password this is (not yet signed in: see :func:`complete_login`), else None."""
    user = None
    if printable(username) == username:  # no account has control characters in its name
        user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None or not user.is_active:
        verify_password(_DUMMY_HASH, password)
        record_attempt(username, PASSWORD_FAILED, username=printable(username)[:80])
        return None
    if not verify_password(user.password_hash, password):
        record_attempt(username, PASSWORD_FAILED, user_id=user.id)
        return None
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def confirm_password(user: User, password: str) -> bool:
    """Re-authentication of a signed-in user; a wrong password counts as a failed sign-in."""
    if verify_password(user.password_hash, password):
        return True
    record_attempt(user.username, PASSWORD_FAILED, user_id=user.id)
    return False


def complete_login(user: User) -> None:
    """Password (and second factor, if any) accepted: audit it; the failure count starts afresh."""
    user.last_login_at = utcnow()
    record_attempt(user.username, "ok", user_id=user.id)


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every session of the account (the caller signs this browser in again)."""
    user.password_hash = hash_password(new_password)
    record("write", "user.password", "auth.change_password", user_id=user.id)
    end_sessions(user, "password")


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()
