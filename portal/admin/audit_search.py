"""The audit trail for the beheerder and the privacy officer (functionaris gegevensbescherming):
names and case references added to the events of :mod:`portal.audit.trail`, the CSV export, and
the report of unusual access.

No case data beyond the case reference: the readers of the trail see who touched which case and
why, not what is in it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time

from flask import current_app
from sqlalchemy import Select, func, or_, select

from portal.admin.scope import Scope
from portal.audit.models import AuditEvent
from portal.audit.trail import is_sensitive, stream
from portal.auth.models import Municipality, User
from portal.cases.models import Case
from portal.dates import LOCAL_ZONE
from portal.extensions import db
from portal.security import Role


@dataclass
class TrailRow:
    event: AuditEvent
    who: str
    role: str
    username: str
    case_reference: str | None
    sensitive: bool
    #: Whose trail the event is in (shown to a regional reader): the municipality's name.
    municipality: str = ""


def staff_choices(scope: Scope) -> list[tuple[int, str]]:
    """Staff of the scope's municipalities (active or not: the trail refers to former staff too)."""
    query = select(User).where(User.role != Role.INBURGERAAR, scope.where(User.municipality_id))
    return [(user.id, f"{user.display_name} ({user.username})")
            for user in db.session.scalars(query.order_by(User.display_name, User.id))]


def staff_member(scope: Scope, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or not scope.covers(user.municipality_id):
        return None
    return user


def case_by_reference(scope: Scope, reference: str) -> Case | None:
    return db.session.scalar(select(Case).where(Case.reference == reference.strip(),
                                                scope.where(Case.municipality_id)))


def _names(events: list[AuditEvent]) -> tuple[dict[int, User], dict[int, str], dict[int, str]]:
    user_ids = {event.user_id for event in events if event.user_id}
    case_ids = {event.case_id for event in events if event.case_id}
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(user_ids)))} \
        if user_ids else {}
    cases = dict(db.session.execute(select(Case.id, Case.reference).where(Case.id.in_(case_ids))).all()) \
        if case_ids else {}
    places = dict(db.session.execute(select(Municipality.id, Municipality.name)).all()) if events else {}
    return users, cases, places


def describe(events: list[AuditEvent]) -> list[TrailRow]:
    users, cases, places = _names(events)
    rows = []
    for event in events:
        user = users.get(event.user_id) if event.user_id else None
        rows.append(TrailRow(event=event, who=user.display_name if user else "", role=user.role if user else "",
                             username=user.username if user else "", case_reference=cases.get(event.case_id),
                             sensitive=is_sensitive(event), municipality=places.get(event.municipality_id, "")))
    return rows


CSV_HEADER = ("tijdstip_utc", "gebruiker", "naam", "rol", "actie", "onderwerp", "dossier", "doel",
              "bijzonder_persoonsgegeven", "adres", "gemeente")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet never runs as a formula (=, +, -, @ at the start)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(query: Select, batch: int = 1000) -> Iterator[str]:
    """The events of ``query`` as CSV lines (header first), produced batch by batch while streaming."""
    out = io.StringIO()
    writer = csv.writer(out)

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield flush()
    chunk: list[AuditEvent] = []
    for event in stream(query, batch):
        chunk.append(event)
        if len(chunk) == batch:
            yield _csv_chunk(writer, chunk, flush)
            chunk = []
    if chunk:
        yield _csv_chunk(writer, chunk, flush)


def _csv_chunk(writer, events: list[AuditEvent], flush) -> str:
    for row in describe(events):
        event = row.event
        writer.writerow([_cell(value) for value in (
            event.at.strftime("%Y-%m-%dT%H:%M:%SZ"), row.username, row.who, row.role, event.action, event.subject,
            row.case_reference, event.purpose, "ja" if row.sensitive else "", event.remote_addr, row.municipality)])
    return flush()


# -- unusual access --------------------------------------------------------------------------------

@dataclass
class ManyCases:
    user: User
    cases: int


@dataclass
class OffHours:
    user: User
    reads: int
    first: datetime
    last: datetime
    examples: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class OfficeHours:
    start: time
    end: time
    days: frozenset[int]

    @classmethod
    def from_config(cls) -> OfficeHours:
        """``AUDIT_OFFICE_HOURS`` ("07:00-19:00") and ``AUDIT_OFFICE_DAYS`` ("1,2,3,4,5", Monday = 1)."""
        start, _sep, end = current_app.config["AUDIT_OFFICE_HOURS"].partition("-")
        try:
            days = frozenset(int(day) for day in current_app.config["AUDIT_OFFICE_DAYS"].split(",") if day.strip())
            return cls(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()), days)
        except ValueError:  # a mistyped setting must not take the report down: the documented default
            current_app.logger.warning("PORTAL_AUDIT_OFFICE_HOURS/DAYS unreadable; using 07:00-19:00, Mon-Fri")
            return cls(time(7), time(19), frozenset({1, 2, 3, 4, 5}))

    def within(self, moment: datetime) -> bool:
        local = moment.astimezone(LOCAL_ZONE)
        return local.isoweekday() in self.days and self.start <= local.time() < self.end


def _reads(scope: Scope, since: datetime, until: datetime) -> Select:
    return (select(AuditEvent.user_id, AuditEvent.at).join(User, User.id == AuditEvent.user_id)
            .where(AuditEvent.action == "read", AuditEvent.at >= since, AuditEvent.at < until,
                   AuditEvent.case_id.is_not(None), User.role != Role.INBURGERAAR,
                   scope.where(AuditEvent.municipality_id)))


def many_cases_not_held(scope: Scope, since: datetime, until: datetime,
                        threshold: int) -> list[ManyCases]:
    """Staff who read more than ``threshold`` different cases they are not the regisseur of."""
    not_held = (_reads(scope, since, until).join(Case, Case.id == AuditEvent.case_id)
                .where(or_(Case.regisseur_id.is_(None), Case.regisseur_id != AuditEvent.user_id)))
    sub = not_held.with_only_columns(AuditEvent.user_id, AuditEvent.case_id).distinct().subquery()
    rows = db.session.execute(select(sub.c.user_id, func.count().label("cases")).group_by(sub.c.user_id)
                              .having(func.count() > threshold).order_by(func.count().desc())).all()
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_([r[0] for r in rows])))}
    return [ManyCases(users[user_id], cases) for user_id, cases in rows]


def off_hours_reads(scope: Scope, since: datetime, until: datetime,
                    hours: OfficeHours) -> list[OffHours]:
    """Per staff member, the reads of a case outside office hours (local time)."""
    found: dict[int, OffHours] = {}
    users: dict[int, User] = {}
    result = db.session.execute(_reads(scope, since, until).order_by(AuditEvent.at)
                                .execution_options(yield_per=2000))
    for user_id, at in result:
        if hours.within(at):
            continue
        if user_id not in found:
            users[user_id] = users.get(user_id) or db.session.get(User, user_id)
            found[user_id] = OffHours(users[user_id], 0, at, at)
        entry = found[user_id]
        entry.reads, entry.last = entry.reads + 1, at
        if len(entry.examples) < 5:
            entry.examples.append(at)
    return sorted(found.values(), key=lambda entry: -entry.reads)
