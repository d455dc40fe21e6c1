"""Logging in and the user's language."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.services import record
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.security import hash_password, password_needs_rehash, verify_password

# A hash to verify against when the user does not exist, so both paths take the same time.
_DUMMY_HASH = hash_password("not-a-real-password")


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        record("login", "user", "auth.login", detail={"result": "failed", "username": username[:80]}, keep=True)
        return None
    if not verify_password(user.password_hash, password):
        record("login", "user", "auth.login", user_id=user.id, detail={"result": "failed"}, keep=True)
        return None
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    record("login", "user", "auth.login", user_id=user.id, detail={"result": "ok"})
    return user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()
