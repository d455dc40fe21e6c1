"""Reading the audit trail: filters, keyset pages, special-category reads.

The table grows fastest of all (every read of a case is a row), so nothing here counts the whole
table: a page is the next ``size`` rows after a cursor (``at``, ``id``) in newest-first order, on
the index ``ix_audit_event_municipality_at`` (or ``ix_audit_event_case_at`` / ``ix_audit_event_user_at``
when a case or a user is chosen). Callers in the rooms above add names and references to the rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, literal, select, tuple_

from portal.audit.models import AuditEvent
from portal.db import UTCDateTime
from portal.extensions import db

#: Subjects that are special categories of personal data (AVG art. 9): the health answers of a case,
#: whose form fields carry ``x-sensitivity`` and which only SENSITIVE_ROLES see unmasked.
SENSITIVE_SUBJECTS = ("case.health",)
#: Actions one can filter on (others exist but are rare: kept in "all").
ACTIONS = ("read", "write", "login", "logout")


def is_sensitive(event: AuditEvent) -> bool:
    return event.subject in SENSITIVE_SUBJECTS


@dataclass(frozen=True)
class TrailFilter:
    user_id: int | None = None
    case_id: int | None = None
    action: str | None = None
    #: The start of what was touched, e.g. ``plan`` or ``task:intake``.
    subject: str | None = None
    #: The start of the purpose (route or command), e.g. ``casefile.`` or ``tasks.show``.
    purpose: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sensitive_only: bool = False

    def as_detail(self) -> dict:
        """For the audit event that records this search (JSON-native values, empty ones left out)."""
        return {key: value.isoformat() if isinstance(value, datetime) else value
                for key, value in vars(self).items() if value not in (None, "", False)}


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def trail_query(within: ColumnElement[bool], wanted: TrailFilter) -> Select:
    """Events matching ``wanted`` inside ``within`` (the reader's municipalities: a condition on
    ``AuditEvent.municipality_id`` built by the room above, portal.admin.scope), newest first."""
    query = select(AuditEvent).where(within)
    if wanted.user_id is not None:
        query = query.where(AuditEvent.user_id == wanted.user_id)
    if wanted.case_id is not None:
        query = query.where(AuditEvent.case_id == wanted.case_id)
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.sensitive_only:
        query = query.where(AuditEvent.subject.in_(SENSITIVE_SUBJECTS))
    if wanted.subject:
        query = query.where(AuditEvent.subject.like(_like_prefix(wanted.subject), escape="\\"))
    if wanted.purpose:
        query = query.where(AuditEvent.purpose.like(_like_prefix(wanted.purpose), escape="\\"))
    if wanted.since is not None:
        query = query.where(AuditEvent.at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditEvent.at < wanted.until)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


# -- keyset pagination ----------------------------------------------------------------------------

def encode_cursor(event: AuditEvent) -> str:
    return f"{event.at.astimezone(UTC).strftime('%Y%m%dT%H%M%S.%f')}~{event.id}"


def decode_cursor(text: str | None) -> tuple[datetime, int] | None:
    """The (at, id) a page continues after; None for the first page or a cursor that makes no sense."""
    if not text or len(text) > 40 or "~" not in text:
        return None
    at, _sep, number = text.partition("~")
    try:
        moment = datetime.strptime(at, "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
        event_id = int(number)
    except ValueError:
        return None
    return (moment, event_id) if 0 < event_id < 2**63 else None


def after(query: Select, cursor: tuple[datetime, int] | None) -> Select:
    if cursor is None:
        return query
    at, event_id = cursor
    # A row-value comparison, not "at < x OR (at = x AND id < y)": PostgreSQL uses it as an index
    # condition (0.4 ms on a million rows, against 350 ms for the OR form that scans and filters).
    return query.where(tuple_(AuditEvent.at, AuditEvent.id) < tuple_(literal(at, UTCDateTime()), literal(event_id)))


def page(query: Select, cursor: tuple[datetime, int] | None, size: int) -> tuple[list[AuditEvent], str | None]:
    """Up to ``size`` events after ``cursor`` and the cursor of the next page (None on the last)."""
    rows = list(db.session.scalars(after(query, cursor).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    return rows, encode_cursor(rows[-1]) if more and rows else None


def stream(query: Select, batch: int = 1000) -> Iterator[AuditEvent]:
    """Every event of ``query`` in batches of ``batch`` (keyset, so memory stays flat for millions)."""
    cursor = None
    while True:
        rows = list(db.session.scalars(after(query, cursor).limit(batch)))
        yield from rows
        if len(rows) < batch:
            return
        cursor = (rows[-1].at, rows[-1].id)
        for row in rows:  # the CSV of a year holds millions of rows: keep none of them in the session
            db.session.expunge(row)
