"""Staff and newcomer accounts, and the municipalities they belong to."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import TimestampMixin, UTCDateTime
from portal.extensions import db
from portal.security import CASE_ROLES, SENSITIVE_ROLES, STAFF_ROLES, Role


class Municipality(TimestampMixin, db.Model):
    """A municipality (gemeente). A regional portal serves several; staff see only their own."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: CBS municipality code, e.g. "0344" for Utrecht.
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The event the 10-week PIP deadline counts from here (portal.cases.services.PIP_DEADLINE_STARTS);
    #: None: the portal's setting PORTAL_PIP_DEADLINE_START.
    pip_deadline_start: Mapped[str | None] = mapped_column(String(20))
    #: The beheerder's escalation terms (key of PORTAL_ESCALATION → ISO duration or days), over the
    #: portal's defaults; handed to each NEW case's process, running cases keep theirs (portal.admin.settings).
    escalation_terms: Mapped[dict | None] = mapped_column(JSON)
    #: The team's contact details printed in letters and shown to newcomers (None: not set).
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_address: Mapped[str | None] = mapped_column(String(300))
    #: Languages (portal.i18n.NEWCOMER_LOCALES) this municipality offers newcomers; None: all of them.
    languages: Mapped[list | None] = mapped_column(JSON)
    #: The policy of "Wie heeft mijn dossier bekeken" (/mijn/inzage): False (the default) names only the
    #: role of who read a newcomer's file; True also the name of the regisseur or teamleider.
    newcomer_audit_names: Mapped[bool] = mapped_column(default=False, server_default=sa_false())


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user_account"
    # A municipality's staff of one role by name (its regisseurs: the workload, the hand-over lists) without
    # reading its newcomers' accounts: a region of 100,000 cases has 100,000 of them (migration 1f3a5c7e9b02).
    __table_args__ = (Index("ix_user_account_municipality_role", "municipality_id", "role", "display_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(160))
    email: Mapped[str | None] = mapped_column(String(254))
    #: Shown to newcomers as "how to reach your regisseur".
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    #: None only for roles that work across municipalities (process designer, system administrator).
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    #: Preferred UI language; None means: follow the browser.
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set by the beheerder (deactivated staff, blocked newcomer): no sign-in, whatever ``active`` says
    #: (a newcomer's activation code sets ``active``, never this). Accounts are never deleted.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    municipality: Mapped[Municipality | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active and self.deactivated_at is None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def works_on_cases(self) -> bool:
        return self.role in CASE_ROLES

    @property
    def may_see_sensitive(self) -> bool:
        return self.role in SENSITIVE_ROLES

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class StaffMunicipality(db.Model):
    """A municipality a beheerder or privacy officer (fg) administers IN ADDITION to their own
    (``User.municipality_id``): a regional portal's shared administrator. Granted and revoked with
    ``portal users grant|revoke`` (portal.auth.accounts.grant_municipality), never by a beheerder's page.

    An association, not a region entity: municipalities share an administrator by agreement between
    two or three of them, and such agreements overlap (a shared fg, a shared application manager of
    another set); one row per grant says exactly who may administer what, and is audited per grant.
    """

    __tablename__ = "staff_municipality"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())

    municipality: Mapped[Municipality] = relationship()


class UserSession(db.Model):
    """One signed-in browser. The cookie carries a random id; only its SHA-256 is stored here, so
    logging out or changing the password ends the session on the server, whatever the cookie says."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_agent: Mapped[str | None] = mapped_column(String(200))


class TwoFactor(TimestampMixin, db.Model):
    """A user's TOTP authenticator. The secret is Fernet-encrypted with a key derived from SECRET_KEY:
    a database dump alone does not give the codes."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The TOTP time step of the last accepted code: a code is accepted once.
    last_step: Mapped[int] = mapped_column(default=0)


class RecoveryCode(db.Model):
    """A single-use code for signing in without the authenticator (stored as SHA-256: 50 random bits)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
