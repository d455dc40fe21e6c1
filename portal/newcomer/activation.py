"""Using a one-time activation code: the newcomer sets their password and language (no DigiD).

The codes are made by staff in :mod:`portal.newcomer.recovery`; every text here is shown to newcomers.
"""

from __future__ import annotations

import hashlib

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.models import User
from portal.auth.sessions import end_sessions
from portal.cases.models import Case
from portal.db import utcnow
from portal.extensions import db
from portal.newcomer.models import ActivationCode
from portal.refusal import Refused
from portal.security import hash_password


class ActivationError(Refused):
    """The code cannot be used; ``reason`` is shown to the newcomer."""


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def activate(code: str, password: str, locale: str) -> User:
    """Use a code once: set the newcomer's password and language.

    :raises ActivationError: unknown, expired, replaced or already used code.
    """
    # locked: two people with the same letter at once cannot both set a password
    activation = db.session.scalar(select(ActivationCode).where(ActivationCode.code_hash == code_hash(code))
                                   .with_for_update())
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
    end_sessions(user)  # a new password ends every session of the account
    case = db.session.scalar(select(Case).where(Case.newcomer_user_id == user.id))
    record("write", "newcomer.activated", "newcomer.activate", case_id=case.id if case else None, user_id=user.id,
           detail={"reset": activation.reset_id} if activation.reset_id else None)
    return user
