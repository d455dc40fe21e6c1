""""Wie heeft mijn dossier bekeken": the audit trail of one case in plain words, for the newcomer.

The newcomer sees which ROLE read or changed which PART of their file and when — not the name of
an individual staff member, unless their municipality's policy says so (``Municipality.newcomer_audit_names``,
set by the beheerder on the settings page; default: roles only).
Their own actions and the system's (timers) are left out: the page answers "who else".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from portal.audit.models import AuditEvent
from portal.audit.trail import is_sensitive, page
from portal.auth.models import User
from portal.cases.models import Case
from portal.extensions import db
from portal.security import Role

#: What was touched → the part of the file, in the newcomer's words (first match of the prefix wins).
PARTS: tuple[tuple[str, object], ...] = (
    ("case.health", _l("je gegevens over je gezondheid")),
    ("case.regisseur", _l("wie je regisseur is")),
    ("case", _l("je dossier")),
    ("plan_document", _l("een document van je plan")),
    ("plan.signature", _l("je handtekening")),
    ("plan:term_end", _l("de einddatum van je inburgering")),
    ("plan", _l("je plan")),
    ("task:", _l("een stap in je dossier")),
    ("progress:self_assessment", _l("hoe het volgens jou gaat")),
    ("progress", _l("je voortgang")),
    ("concern", _l("je zorgen")),
    ("enforcement", _l("een maatregel (waarschuwing of boete)")),
    ("newcomer.", _l("je account")),
    ("audit_trail", _l("de lijst van wie je dossier bekeek")),
    ("data_copy", _l("de kopie van je gegevens")),
    ("workflow", _l("je dossier")),
)


def part_of(subject: str) -> str:
    for prefix, words in PARTS:
        if subject == prefix or subject.startswith(prefix):
            if prefix == "plan" and ":signature" in subject:
                return _("je handtekening")
            return str(words)
    return _("je dossier")


def role_words(user: User, case: Case) -> str:
    if user.role == Role.REGISSEUR:
        return _("Je regisseur") if user.id == case.regisseur_id else _("Een andere regisseur van de gemeente")
    return {
        Role.TEAMLEIDER: _("Een teamleider van de gemeente"),
        Role.BEHEERDER: _("Een beheerder van het portaal"),
        Role.PRIVACY: _("De functionaris gegevensbescherming van de gemeente"),
        Role.KETENPARTNER: _("Een organisatie die met de gemeente samenwerkt"),
    }.get(user.role, _("Een medewerker van de gemeente"))


@dataclass
class AccessLine:
    at: datetime
    sentence: str
    sensitive: bool


def _query(case: Case, newcomer: User) -> Select:
    return (select(AuditEvent)
            .where(AuditEvent.case_id == case.id, AuditEvent.user_id.is_not(None),
                   AuditEvent.user_id != newcomer.id, AuditEvent.action.in_(("read", "write")))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))


def shows_names(case: Case) -> bool:
    """The policy of the newcomer's municipality: the case's, whoever administers it."""
    return bool(case.municipality.newcomer_audit_names)


def describe(event: AuditEvent, user: User, case: Case, names: bool) -> AccessLine:
    who = role_words(user, case)
    if names and user.role in (Role.REGISSEUR, Role.TEAMLEIDER):
        who = _("%(role)s (%(name)s)", role=who, name=user.display_name)
    what = part_of(event.subject)
    sentence = (_("%(who)s heeft %(what)s bekeken.", who=who, what=what) if event.action == "read"
                else _("%(who)s heeft %(what)s gewijzigd.", who=who, what=what))
    return AccessLine(at=event.at, sentence=sentence, sensitive=is_sensitive(event))


def access_page(case: Case, newcomer: User, cursor, size: int) -> tuple[list[AccessLine], str | None]:
    events, next_cursor = page(_query(case, newcomer), cursor, size)
    users = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_({event.user_id for event in events})))} if events else {}
    names = shows_names(case)
    return [describe(event, users[event.user_id], case, names) for event in events], next_cursor


def access_lines(case: Case, newcomer: User) -> list[dict]:
    """Every line (for the data copy), as JSON-native dicts, oldest first."""
    users: dict[int, User] = {}
    lines = []
    names = shows_names(case)
    for event in db.session.scalars(_query(case, newcomer).order_by(None).order_by(AuditEvent.at, AuditEvent.id)):
        user = users.get(event.user_id) or db.session.get(User, event.user_id)
        users[event.user_id] = user
        line = describe(event, user, case, names)
        lines.append({"tijdstip": event.at.isoformat(), "wat": line.sentence, "rol": user.role,
                      "handeling": event.action, "onderwerp": event.subject, "doel": event.purpose,
                      "bijzonder_persoonsgegeven": line.sensitive})
    return lines
