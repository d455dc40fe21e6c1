"""Declarative base, constraint naming convention and shared column mixins."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from portal.dates import local_date

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the portal stores and computes in UTC)."""
    return datetime.now(UTC)


def local_today() -> date:
    """Today's date in the Netherlands (deadlines are Dutch calendar dates; storage stays UTC)."""
    return local_date(utcnow())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use portal.db.utcnow() or an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


#: Whether the transaction about to begin may write. On SQLite a writing transaction begins with
#: ``BEGIN IMMEDIATE`` (it takes the write lock up front, so a second writer waits for it instead of
#: failing when it upgrades a read later); a reading one begins ``DEFERRED`` and never blocks a
#: writer (WAL). Requests set it from their method (:mod:`portal.transaction`); outside a request
#: (workers, commands) every transaction may write unless a block says otherwise (:func:`reading`).
write_intent: ContextVar[bool] = ContextVar("portal_write_intent", default=True)


class reading:  # noqa: N801 - used as a context manager like contextlib's helpers
    """``with reading():`` — transactions begun inside only read (e.g. a worker rendering a PDF)."""

    def __enter__(self):
        self._token = write_intent.set(False)

    def __exit__(self, *exc):
        write_intent.reset(self._token)


def configure_sqlite(engine, busy_timeout_ms: int = 30000) -> None:
    """Make SQLite a real embedded database for several users at once.

    - WAL journal: readers never block the writer and the writer never blocks readers.
    - real BEGIN/SAVEPOINT handling (the sqlite3 driver's own breaks SAVEPOINTs, used per row by
      the COA import and per test by the suite; SQLAlchemy documents this recipe);
    - ``BEGIN IMMEDIATE`` for transactions that may write (see :data:`write_intent`), and a busy
      timeout, so concurrent writers queue instead of failing with "database is locked";
    - enforced foreign keys.
    """
    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # persistent in the file; in-memory databases ignore it
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a power cut loses at most the last commit
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def describe_error(exc: BaseException) -> str:
    """A database error for a log line, without any value: the error class, PostgreSQL's SQLSTATE and
    constraint name, or SQLite's message (which names columns, never values). PostgreSQL's own message
    and DETAIL can quote values (``Key (v_number)=(…)``, ``invalid input syntax …: "…"``), so they are left out."""
    from sqlalchemy.exc import DBAPIError

    original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    kind = type(exc).__name__ if original is exc else f"{type(exc).__name__}/{type(original).__name__}"
    diag = getattr(original, "diag", None)
    if diag is not None:  # psycopg
        parts = [f"sqlstate {getattr(original, 'sqlstate', None)}", f"constraint {diag.constraint_name}",
                 f"table {diag.table_name}", f"column {diag.column_name}"]
        return f"{kind} ({', '.join(p for p in parts if not p.endswith(' None'))})"
    if type(original).__module__.startswith("sqlite3") and str(original):
        return f"{kind}: {str(original).splitlines()[0]}"[:300]
    return kind


def fail_attempt(job, error: str, now: datetime) -> None:
    """Record one failed attempt of a queued job row the caller has locked (a plan document, a data copy):
    retry after 2, 4, 8 … minutes, or mark it ``FAILED`` after its class's ``MAX_ATTEMPTS`` (the beheerder sees it)."""
    job.last_error, job.leased_until = error[:1000], None
    if job.attempts >= job.MAX_ATTEMPTS:
        job.status = job.FAILED
    else:
        job.next_attempt_at = now + timedelta(minutes=2 ** job.attempts)
