"""Retention of the audit trail itself (``portal audit purge``; also part of ``portal retention run``).

The rule (docs/privacy.md, "Retention of the audit trail"):

- an event is due when it is older than ``AUDIT_RETENTION_YEARS`` (0: never), and
- it is **never** due while its case is still within the case's own retention: the case is open,
  was closed less than ``RETENTION_CASE_YEARS`` ago, or still keeps a decided warning or fine
  (``case_retention.kept_until``). As long as a file may be asked about — by the newcomer ("who read my
  file", AVG art. 15), the privacy officer or a court — so may the record of who read and changed it.
  Events of no case (sign-ins, the designer's deployments) follow the age rule alone.

On PostgreSQL a month partition that lies wholly before the cutoff and holds no event of a protected
case is dropped whole (instant, no dead rows); the due rows elsewhere (a month with protected events,
the month the cutoff falls in, the default partition) are deleted in batches, as on SQLite. Every
batch and every drop is its own commit (``commit``), so locks and WAL stay small on a table of
hundreds of millions of rows. The purge is recorded in the audit trail (``audit_event:retention``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import column, delete, exists, func, or_, select, table

from portal.audit import partitions
from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.cases.models import Case
from portal.dates import add_years, local_date
from portal.extensions import db
from portal.retention.models import CaseRetention


class PurgeRefused(ValueError):
    """A purge that would break the retention rule (a ``--before`` later than the rule allows)."""


@dataclass
class AuditPurge:
    before: datetime
    deleted: int = 0
    #: Partitions dropped whole, with the number of events each held.
    dropped: list[tuple[str, int]] = field(default_factory=list)
    dry_run: bool = False

    def as_detail(self) -> dict:
        return {"deleted": self.deleted, "before": self.before.isoformat(),
                "dropped_partitions": [name for name, _rows in self.dropped]}


def rule_cutoff(now: datetime, years: int) -> datetime | None:
    """Events before this moment may go (None: the audit trail is kept for ever)."""
    return add_years(now, -years) if years > 0 else None


def protected_cases(now: datetime, case_years: int):
    """The ids of cases still within their own retention (their events are kept whatever their age)."""
    open_or_recent = select(Case.id).where(or_(Case.closed_at.is_(None), Case.closed_at >= add_years(now, -case_years)))
    keeping_decisions = select(CaseRetention.case_id).where(CaseRetention.anonymised_at.is_(None),
                                                            CaseRetention.kept_until > local_date(now))
    return open_or_recent.union(keeping_decisions)


def _due(cutoff: datetime, protected) -> list:
    return [AuditEvent.at < cutoff,
            or_(AuditEvent.case_id.is_(None), AuditEvent.case_id.not_in(select(protected.subquery().c[0])))]


def purge_audit(now: datetime, years: int, case_years: int, *, before: datetime | None = None,
                batch: int = 10_000, dry_run: bool = False, purpose: str = "audit.purge",
                commit: Callable[[], None] = lambda: None) -> AuditPurge | None:
    """Apply the audit trail's retention rule; returns what was (or, with ``dry_run``, would be) purged,
    or None when the rule keeps everything (``years`` = 0).

    :param before: purge only events before this moment (earlier than the rule's cutoff, never later).
    :param commit: called after each drop and each batch (the command commits; tests may not).
    """
    cutoff = rule_cutoff(now, years)
    if cutoff is None:
        return None
    if before is not None:
        if before > cutoff:
            raise PurgeRefused(f"events after {cutoff.isoformat()} are within the retention period "
                               f"(PORTAL_AUDIT_RETENTION_YEARS = {years})")
        cutoff = before
    result = AuditPurge(cutoff, dry_run=dry_run)
    protected = protected_cases(now, case_years)
    for partition in partitions.partitions():
        if partition.end is None or partition.end > cutoff:
            continue
        stored = table(partition.name, column("case_id"))
        holds_protected = db.session.scalar(select(exists().where(
            stored.c.case_id.in_(select(protected.subquery().c[0])))))
        if holds_protected:
            continue  # its due rows are deleted below; a later run drops it once its cases are due
        rows = partitions.partition_rows(partition)
        result.dropped.append((partition.name, rows))
        result.deleted += rows
        if not dry_run:
            partitions.drop(partition)
            commit()
    where = _due(cutoff, protected)
    if dry_run:  # every due row, those of the partitions that would be dropped included
        result.deleted = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
        return result
    while True:
        ids = list(db.session.scalars(select(AuditEvent.id).where(*where).limit(batch)))
        if ids:
            # "at < cutoff" again: PostgreSQL then touches only the partitions before the cutoff
            result.deleted += db.session.execute(
                delete(AuditEvent).where(AuditEvent.id.in_(ids), AuditEvent.at < cutoff)
                .execution_options(synchronize_session=False)).rowcount or 0
            commit()
        if len(ids) < batch:
            break
    if result.deleted:
        record("write", "audit_event:retention", purpose, user_id=None, detail=result.as_detail())
    return result

