"""Staff accounts: making one (the ``portal users create`` command and the beheerder's page), the one-time
link that sets its first password, and deactivation (accounts are never deleted: the audit trail names them).

The one-time link is a signed token (SECRET_KEY) naming the user and a fingerprint of their password hash:
once a password is set the fingerprint changes, so the link works once; it also expires
(PORTAL_STAFF_ACTIVATION_HOURS). Nothing is stored for it.
"""

from __future__ import annotations

import hashlib
import re

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from portal.audit.services import record
from portal.auth.models import Municipality, StaffMunicipality, User
from portal.auth.sessions import end_sessions
from portal.db import utcnow
from portal.extensions import db
from portal.refusal import Refused
from portal.security import AUDIT_ROLES, STAFF_ROLES, Role, hash_password

#: Staff roles that belong to one municipality (the process designer works across them).
MUNICIPAL_STAFF_ROLES = (Role.REGISSEUR, Role.TEAMLEIDER, Role.BEHEERDER)
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
_SALT = "staff-activation"


class AccountRefused(Refused):
    """The account cannot be made or changed; ``reason`` says why (shown to the beheerder)."""


def municipality_by_code(code: str) -> Municipality | None:
    return db.session.scalar(select(Municipality).where(Municipality.code == code.strip()))


def new_staff_user(username: str, display_name: str, role: str, municipality: Municipality | None, *,
                   email: str | None = None, password: str | None = None, actor_id: int | None = None,
                   purpose: str = "auth.new_staff_user") -> User:
    """A staff account (without a password it waits for :func:`activation_token`'s link).

    :raises AccountRefused: a name in use or not of lowercase letters, digits, dot, dash and underscore; an
        unknown role; a municipal role without a municipality.
    """
    if role not in {r.value for r in STAFF_ROLES}:
        raise AccountRefused(_("Onbekende rol “%(role)s”. Kies uit: %(roles)s.", role=role[:20],
                               roles=", ".join(sorted(r.value for r in STAFF_ROLES))))
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountRefused(_("Een gebruikersnaam heeft 2 tot 80 tekens: kleine letters, cijfers, punt, streepje "
                               "of liggend streepje, en begint met een letter of cijfer."))
    if role in MUNICIPAL_STAFF_ROLES and municipality is None:
        raise AccountRefused(_("Een %(role)s hoort bij een gemeente: geef de gemeentecode.", role=role))
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username)) is not None:
        raise AccountRefused(_("De gebruikersnaam “%(name)s” bestaat al. Kies een andere.", name=username))
    user = User(username=username, display_name=display_name.strip() or username, role=role,
                municipality=municipality, email=(email or "").strip() or None,
                password_hash=hash_password(password) if password else None)
    db.session.add(user)
    db.session.flush()
    record("write", f"user:{user.id}", purpose, user_id=actor_id,
           municipality_id=municipality.id if municipality else None,
           detail={"created": user.id, "role": role, "municipality": municipality.code if municipality else None})
    return user


# -- regional staff: municipalities administered besides one's own ------------------------------------

#: Roles that may administer more municipalities than their own (a regional beheerder, a shared fg).
#: Regisseurs and teamleiders work on the cases of one municipality only.
REGIONAL_ROLES = AUDIT_ROLES


def granted_municipalities(user: User) -> list[Municipality]:
    """The municipalities ``user`` administers besides their own, by name."""
    return list(db.session.scalars(select(Municipality).join(
        StaffMunicipality, StaffMunicipality.municipality_id == Municipality.id).where(
        StaffMunicipality.user_id == user.id).order_by(Municipality.name, Municipality.code)))


def grant_municipality(user: User, municipality: Municipality, *, actor_id: int | None = None,
                       purpose: str = "auth.grant_municipality") -> None:
    """Let ``user`` (a beheerder or fg) administer ``municipality`` too; audited in that municipality's trail.

    :raises AccountRefused: another role, a user without a municipality of their own (they see every
        municipality already), their own municipality, or one granted already.
    """
    if user.role not in REGIONAL_ROLES:
        raise AccountRefused(_("Alleen een beheerder of functionaris gegevensbescherming kan meer gemeenten "
                               "beheren; %(user)s is %(role)s.", user=user.username, role=user.role))
    if user.municipality_id is None:
        raise AccountRefused(_("%(user)s hoort bij geen gemeente en ziet alle gemeenten al.", user=user.username))
    if municipality.id == user.municipality_id:
        raise AccountRefused(_("%(code)s is de eigen gemeente van %(user)s.", code=municipality.code,
                               user=user.username))
    if db.session.get(StaffMunicipality, (user.id, municipality.id)) is not None:
        raise AccountRefused(_("%(user)s beheert %(code)s al.", user=user.username, code=municipality.code))
    db.session.add(StaffMunicipality(user_id=user.id, municipality_id=municipality.id, granted_at=utcnow()))
    record("write", f"user:{user.id}.municipalities", purpose, user_id=actor_id, municipality_id=municipality.id,
           detail={"user": user.id, "granted": municipality.code})
    db.session.flush()


def revoke_municipality(user: User, municipality: Municipality, *, actor_id: int | None = None,
                        purpose: str = "auth.revoke_municipality") -> None:
    """``user`` no longer administers ``municipality`` (their own cannot be revoked: it is who they are).

    :raises AccountRefused: it was not granted.
    """
    grant = db.session.get(StaffMunicipality, (user.id, municipality.id))
    if grant is None:
        raise AccountRefused(_("%(user)s beheert %(code)s niet als extra gemeente.", user=user.username,
                               code=municipality.code))
    db.session.delete(grant)
    record("write", f"user:{user.id}.municipalities", purpose, user_id=actor_id, municipality_id=municipality.id,
           detail={"user": user.id, "revoked": municipality.code})
    db.session.flush()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


def activation_token(user: User) -> str:
    """A link token that lets ``user`` set a password once (until then, or until it expires)."""
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_activation(token: str) -> User | None:
    """The user whose link this is, if it is genuine, unused and not expired; else None."""
    max_age = current_app.config["STAFF_ACTIVATION_HOURS"] * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active or not user.is_staff or data.get("f") != _fingerprint(user):
        return None
    return user


def set_first_password(user: User, password: str) -> None:
    """The link's password: the link stops working (the fingerprint changes), other sessions end."""
    user.password_hash = hash_password(password)
    record("write", "user.password", "auth.activate_staff", user_id=user.id)
    end_sessions(user, "activation")


def deactivate(user: User, actor: User, reason: str) -> int:
    """No more sign-ins for ``user`` and every session ended; staff also leave the choice of colleagues.

    :returns: how many sessions were ended.
    """
    if user.id == actor.id:
        raise AccountRefused(_("Je kunt je eigen account niet blokkeren."))
    if user.deactivated_at is not None:
        raise AccountRefused(_("Dit account is al geblokkeerd."))
    user.deactivated_at = utcnow()
    if user.is_staff:
        user.active = False
    record("write", f"user:{user.id}.deactivated", "admin.deactivate", user_id=actor.id,
           municipality_id=user.municipality_id, detail={"user": user.id, "reason": reason})
    return end_sessions(user, "deactivated")


def reactivate(user: User, actor: User) -> None:
    if user.deactivated_at is None:
        raise AccountRefused(_("Dit account is niet geblokkeerd."))
    user.deactivated_at = None
    if user.is_staff:
        user.active = True
    record("write", f"user:{user.id}.reactivated", "admin.reactivate", user_id=actor.id,
           municipality_id=user.municipality_id, detail={"user": user.id})
    db.session.flush()
