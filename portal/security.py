"""Roles, the access decorators every route uses, and password hashing.

Every view is wrapped in :func:`roles_required` or marked :func:`public`; a test walks the URL
map and fails on a route that is neither, so a new route cannot silently be open.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

_hasher = PasswordHasher()


def use_cheap_password_hashing() -> None:
    """Tests only: argon2 with minimal cost, so hundreds of logins take milliseconds, not seconds."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Role(enum.StrEnum):
    REGISSEUR = "regisseur"  # the newcomer's single point of contact; sees the full dossier
    TEAMLEIDER = "teamleider"  # team lead: reassigns cases, handles escalations; no health data
    ONTWERPER = "ontwerper"  # process designer: BPMN and forms, no case data
    BEHEERDER = "beheerder"  # functional administrator: users and settings, no case data
    #: Functionaris gegevensbescherming (AVG art. 37-39): reads the audit trail, no case data.
    PRIVACY = "fg"
    KETENPARTNER = "ketenpartner"  # chain partner (language school …): limited, later
    INBURGERAAR = "inburgeraar"  # the newcomer: only their own plan


#: How a role is named on screen (the value itself is an identifier).
ROLE_LABELS = {Role.REGISSEUR: _l("Regisseur"), Role.TEAMLEIDER: _l("Teamleider"), Role.ONTWERPER: _l("Ontwerper"),
               Role.BEHEERDER: _l("Beheerder"), Role.PRIVACY: _l("Functionaris gegevensbescherming"),
               Role.KETENPARTNER: _l("Ketenpartner"), Role.INBURGERAAR: _l("Inburgeraar")}


def role_label(role: str | None) -> str:
    """The role's name in the user's language; an unknown value as it is."""
    return str(ROLE_LABELS[Role(role)]) if role in Role._value2member_map_ else (role or "")


STAFF_ROLES = frozenset({Role.REGISSEUR, Role.TEAMLEIDER, Role.ONTWERPER, Role.BEHEERDER, Role.KETENPARTNER,
                         Role.PRIVACY})
#: Roles that read the audit trail of their municipality (who read or changed what, and why).
AUDIT_ROLES = frozenset({Role.BEHEERDER, Role.PRIVACY})
#: Roles that work on cases of their municipality.
CASE_ROLES = frozenset({Role.REGISSEUR, Role.TEAMLEIDER})
#: Roles that may see special categories of personal data (health) and the BSN.
SENSITIVE_ROLES = frozenset({Role.REGISSEUR})

#: BPMN lane names (as drawn by process designers) → portal role.
LANE_ROLES: dict[str, Role] = {
    "Regisseur": Role.REGISSEUR,
    "Teamleider": Role.TEAMLEIDER,
    "Ketenpartner": Role.KETENPARTNER,
    "Inburgeraar": Role.INBURGERAAR,
}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its argon2 hash without ever raising on a bad hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def roles_required(*roles: Role) -> Callable:
    """Allow a view only to logged-in users with one of ``roles`` (all logged-in users if empty)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                from portal.extensions import login_manager

                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = ("roles", tuple(roles))  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as deliberately open to anonymous users (login page, error pages, static)."""
    view.access = ("public", ())  # type: ignore[attr-defined]
    return view
