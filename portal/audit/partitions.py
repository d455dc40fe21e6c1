"""Monthly partitions of the audit trail on PostgreSQL (declarative range partitioning on ``at``).

The audit table grows fastest of all (every read of a case is a row). On PostgreSQL it is a
partitioned table (migration ``fed68296d57a``): one partition per calendar month in UTC, named
``audit_event_pYYYY_MM``, plus ``audit_event_default`` that catches a row for which no month exists
yet, so an audit write never fails because the worker did not run. Indexes are declared on the
parent and exist in every partition; queries on ``at`` touch only the months they need; and the
retention purge drops a whole month (``DROP TABLE``: instant, no dead rows, no vacuum) instead of
deleting millions of rows.

``portal audit partitions [--months-ahead N]`` and the worker (every hour) create the coming
months; the purge (:mod:`portal.retention.audit`) drops old ones. SQLite keeps a plain table and
every function here does nothing there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, text

from portal.extensions import db

TABLE = "audit_event"
DEFAULT_PARTITION = f"{TABLE}_default"
#: Names of the month partitions; the schema comparison (tests/test_schema.py, Alembic autogenerate)
#: leaves partitions out: they are storage of ``audit_event``, not tables of their own.
PARTITION_NAME = re.compile(rf"^{TABLE}_(p\d{{4}}_\d{{2}}|default)$")
#: A lock id of our own for pg_advisory_xact_lock: two workers never create the same month at once.
_LOCK_ID = 0x4155_4449_5450  # "AUDITP"


@dataclass(frozen=True)
class Partition:
    name: str
    #: First moment in it (inclusive) and first moment after it (exclusive), UTC; None for the default.
    start: datetime | None
    end: datetime | None


def _checked(name: str) -> str:
    """A partition name about to be written into SQL: only names of our own pattern (no quoting games)."""
    if not PARTITION_NAME.match(name):
        raise ValueError(f"not an audit partition: {name!r}")
    return name


def include_name(name: str | None, type_: str, _parent_names: dict) -> bool:
    """Alembic's ``include_name`` hook: compare every table but the audit partitions."""
    return not (type_ == "table" and name is not None and PARTITION_NAME.match(name))


def is_partitioned(connection: Connection | None = None) -> bool:
    connection = connection or db.session.connection()
    if connection.dialect.name != "postgresql":
        return False
    return bool(connection.scalar(text(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
        "WHERE c.relname = :table AND c.relnamespace = current_schema()::regnamespace)"), {"table": TABLE}))


def month_start(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{TABLE}_p{month.year:04d}_{month.month:02d}"


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def partitions(connection: Connection | None = None) -> list[Partition]:
    """The partitions of the audit table, oldest first, the default partition last ([] on SQLite)."""
    connection = connection or db.session.connection()
    if not is_partitioned(connection):
        return []
    rows = connection.execute(text(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
        "WHERE p.relname = :table AND p.relnamespace = current_schema()::regnamespace"), {"table": TABLE}).all()
    found = []
    for name, bound in rows:
        moments = re.findall(r"'([^']+)'", bound or "")
        if bound == "DEFAULT" or len(moments) != 2:
            found.append(Partition(name, None, None))
            continue
        start, end = (datetime.fromisoformat(moment).astimezone(UTC) for moment in moments)
        found.append(Partition(name, start, end))
    return sorted(found, key=lambda p: (p.start is None, p.start or datetime.min.replace(tzinfo=UTC)))


def create_month(month: date, connection: Connection | None = None) -> bool:
    """Create the partition of ``month`` if it does not exist; rows of that month that fell into the
    default partition meanwhile are moved into it. Returns whether it was created."""
    connection = connection or db.session.connection()
    name, start, end = partition_name(month), _utc(month), _utc(next_month(month))
    if any(p.name == name for p in partitions(connection)):
        return False
    # Build it beside the table, move the month's rows out of the default partition, then attach:
    # ATTACH checks the default partition holds no row of the range (it does not any more).
    connection.execute(text(f'CREATE TABLE "{name}" (LIKE "{TABLE}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'))
    bounds = {"start": start, "end": end}
    connection.execute(text(
        f'WITH moved AS (DELETE FROM "{DEFAULT_PARTITION}" WHERE at >= :start AND at < :end RETURNING *) '  # noqa: S608 - names of our own pattern
        f'INSERT INTO "{_checked(name)}" SELECT * FROM moved'), bounds)
    connection.execute(text(f"ALTER TABLE \"{TABLE}\" ATTACH PARTITION \"{name}\" "
                            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"))
    return True


def ensure_months(first: date, last: date, connection: Connection | None = None) -> list[str]:
    """Make sure every month from ``first`` to ``last`` (inclusive) has its partition; returns the
    names created. Serialised by an advisory lock (two workers on two hosts may call it at once)."""
    connection = connection or db.session.connection()
    if not is_partitioned(connection):
        return []
    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    created, month = [], month_start(first)
    while month <= last:
        if create_month(month, connection):
            created.append(partition_name(month))
        month = next_month(month)
    return created


def ensure_ahead(now: datetime, months_ahead: int, connection: Connection | None = None) -> list[str]:
    """This month's partition and the next ``months_ahead`` months' (what the worker calls)."""
    last = month_start(now)
    for _ in range(max(months_ahead, 0)):
        last = next_month(last)
    return ensure_months(month_start(now), last, connection)


def drop(partition: Partition, connection: Connection | None = None) -> None:
    """Drop one month partition (never the default). Takes a short exclusive lock on the audit table:
    waits at most ``lock_timeout`` for running transactions instead of queueing every audit write."""
    if partition.start is None:
        raise ValueError("the default partition is never dropped")
    connection = connection or db.session.connection()
    connection.execute(text("SET LOCAL lock_timeout = '10s'"))
    connection.execute(text(f'DROP TABLE "{_checked(partition.name)}"'))


def partition_rows(partition: Partition, connection: Connection | None = None) -> int:
    connection = connection or db.session.connection()
    return connection.scalar(text(f'SELECT count(*) FROM "{_checked(partition.name)}"')) or 0  # noqa: S608
