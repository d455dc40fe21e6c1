"""Staff two-factor sign-in: TOTP (RFC 6238, any authenticator app) and single-use recovery codes.

The TOTP secret is stored Fernet-encrypted with a key derived (HKDF-SHA256) from ``SECRET_KEY``: a
database dump alone does not give anyone the codes. Rotating ``SECRET_KEY`` therefore means everyone
enrols again (``reset_two_factor``). Recovery codes are stored as SHA-256 (50 random bits each).
"""

from __future__ import annotations

import base64
import hashlib
import secrets

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, func, select

from portal.audit.services import record
from portal.auth.models import RecoveryCode, TwoFactor, User
from portal.auth.sessions import end_sessions
from portal.db import utcnow
from portal.extensions import db

ISSUER = "Inburgeringsportaal"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal two-factor secret").derive(
        str(current_app.config["SECRET_KEY"]).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode("ascii")


def decrypt(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def required_for(user: User) -> bool:
    return user.role in current_app.config["TWO_FACTOR_ROLES"]


def enrolment(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def _normalise(code: str) -> str:
    return "".join(char for char in code.upper() if char.isalnum())


def _accepted_step(secret: str, code: str, last_step: int) -> int | None:
    """The time step ``code`` belongs to (now or one step either side), if it is newer than ``last_step``."""
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(utcnow())
    for step in (now_step, now_step - 1, now_step + 1):
        if step > last_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm_enrolment(user: User, secret: str, code: str) -> list[str] | None:
    """Store ``secret`` once ``code`` proves the app has it; returns fresh recovery codes (else None)."""
    step = _accepted_step(secret, _normalise(code), 0)
    if step is None:
        record("login", "two_factor", "auth.enrol", user_id=user.id, detail={"result": "code_failed"}, keep=True)
        return None
    enrolled = enrolment(user)
    if enrolled is None:
        enrolled = TwoFactor(user_id=user.id, secret_encrypted="", confirmed_at=utcnow())
        db.session.add(enrolled)
    enrolled.secret_encrypted, enrolled.confirmed_at, enrolled.last_step = encrypt(secret), utcnow(), step
    record("write", "two_factor", "auth.enrol", user_id=user.id, detail={"result": "enrolled"})
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the codes are returned once and stored only as hashes."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
             for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    db.session.flush()
    record("write", "two_factor.recovery_codes", "auth.recovery_codes", user_id=user.id)
    return codes


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def verify(user: User, code: str) -> bool:
    """Check a TOTP code (each accepted once) or an unused recovery code (then used up).

    The enrolment row is locked first: two sign-ins with the same code at once cannot both pass.
    """
    enrolled = db.session.get(TwoFactor, user.id, with_for_update=True)
    if enrolled is None:
        return False
    code = _normalise(code)[:20]
    secret = decrypt(enrolled.secret_encrypted)
    step = _accepted_step(secret, code, enrolled.last_step) if secret else None
    if step is not None:
        enrolled.last_step = step
        return True
    if len(code) != 10:
        return False
    recovery = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None)))
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    record("write", "two_factor.recovery_code_used", "auth.login_code", user_id=user.id)
    return True


def reset_two_factor(user: User, by: User | None = None) -> None:
    """Remove the user's authenticator and recovery codes and end their sessions (the beheerder's
    reset, issue 14): a role that requires two-factor sign-in enrols again at the next sign-in.

    The audit event names ``by`` (the beheerder) as the actor and ``user`` in its detail, in the trail
    of ``user``'s municipality.
    """
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    record("write", "two_factor", "auth.reset_two_factor", user_id=by.id if by is not None else user.id,
           detail={"result": "reset", "user": user.id}, municipality_id=user.municipality_id)
    end_sessions(user, "two_factor_reset")
