"""The audit trail's monthly partitions (PostgreSQL) and keyset paging across them (both databases).

On PostgreSQL ``audit_event`` is partitioned by month on ``at`` (migration fed68296d57a): these tests
create months, check that an event lands in its month (or in the default partition when its month
does not exist yet, and is moved when it is made), and that the audit trail's keyset pages run across
months without losing or repeating a row. On SQLite the table is plain: the partition functions do
nothing and the paging tests run the same.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from portal.audit import partitions
from portal.audit.models import AuditEvent
from portal.audit.trail import TrailFilter, decode_cursor, page, trail_query
from portal.extensions import db


def postgres() -> bool:
    return db.session.connection().dialect.name == "postgresql"


def event(at: datetime, **values) -> AuditEvent:
    event = AuditEvent(at=at, action="read", subject="case", purpose="test", **values)
    db.session.add(event)
    db.session.flush()
    return event


def home(event_id: int) -> str:
    """The partition (table) a stored event lives in."""
    return db.session.scalar(text("SELECT tableoid::regclass::text FROM audit_event WHERE id = :id"), {"id": event_id})


def test_the_table_is_partitioned_on_postgresql_only():
    assert partitions.is_partitioned() == postgres()
    if not postgres():
        assert partitions.partitions() == [] and partitions.ensure_ahead(datetime.now(UTC), 3) == []


def test_the_coming_months_are_created_once():
    if not postgres():
        pytest.skip("SQLite keeps a plain table")
    now = datetime(2031, 11, 15, 12, tzinfo=UTC)
    created = partitions.ensure_ahead(now, 3)
    assert created == ["audit_event_p2031_11", "audit_event_p2031_12", "audit_event_p2032_01", "audit_event_p2032_02"]
    assert partitions.ensure_ahead(now, 3) == []  # idempotent
    months = {p.name: p for p in partitions.partitions()}
    assert months["audit_event_p2031_12"].start == datetime(2031, 12, 1, tzinfo=UTC)
    assert months["audit_event_p2031_12"].end == datetime(2032, 1, 1, tzinfo=UTC)
    assert partitions.partitions()[-1].name == partitions.DEFAULT_PARTITION


def test_events_land_in_their_month_and_late_months_take_their_rows_from_the_default():
    if not postgres():
        pytest.skip("SQLite keeps a plain table")
    partitions.ensure_months(date(2031, 1, 1), date(2031, 2, 1))
    last_of_january = event(datetime(2031, 1, 31, 23, 59, 59, 999999, tzinfo=UTC))
    first_of_february = event(datetime(2031, 2, 1, tzinfo=UTC))
    # a Dutch local time just after midnight on 1 March is still February in UTC
    late_february = event(datetime(2031, 3, 1, 0, 30, tzinfo=UTC) - timedelta(hours=1))
    without_month = event(datetime(2031, 6, 10, tzinfo=UTC))
    assert home(last_of_january.id) == "audit_event_p2031_01"
    assert home(first_of_february.id) == home(late_february.id) == "audit_event_p2031_02"
    assert home(without_month.id) == "audit_event_default"  # no write is lost when no month exists

    assert partitions.ensure_months(date(2031, 6, 1), date(2031, 6, 1)) == ["audit_event_p2031_06"]
    assert home(without_month.id) == "audit_event_p2031_06"
    count = db.session.scalar(text("SELECT count(*) FROM audit_event_default WHERE at >= '2031-06-01'"))
    assert count == 0


def test_a_query_on_a_month_reads_only_that_partition():
    if not postgres():
        pytest.skip("SQLite keeps a plain table")
    partitions.ensure_months(date(2031, 1, 1), date(2031, 3, 1))
    plan = "\n".join(db.session.scalars(text(
        "EXPLAIN SELECT * FROM audit_event WHERE at >= '2031-02-01 00:00+00' AND at < '2031-03-01 00:00+00'")))
    assert "audit_event_p2031_02" in plan
    assert "audit_event_p2031_01" not in plan and "audit_event_p2031_03" not in plan


def test_keyset_pages_run_across_months_without_losing_or_repeating_a_row(municipality):
    utrecht = municipality()
    if postgres():
        partitions.ensure_months(date(2031, 1, 1), date(2031, 3, 1))
    moments = [datetime(2031, month, day, 9, tzinfo=UTC) for month in (1, 2, 3) for day in (1, 15, 28)]
    moments.append(moments[4])  # two events at one moment: the id breaks the tie
    moments.append(datetime(2031, 7, 1, tzinfo=UTC))  # in the default partition on PostgreSQL
    stored = [event(at, municipality_id=utrecht.id) for at in moments]
    if postgres():
        assert {home(e.id) for e in stored} >= {"audit_event_p2031_01", "audit_event_p2031_02",
                                                 "audit_event_p2031_03", "audit_event_default"}
    wanted = TrailFilter(since=datetime(2031, 1, 1, tzinfo=UTC), until=datetime(2032, 1, 1, tzinfo=UTC))
    query = trail_query(AuditEvent.municipality_id == utrecht.id, wanted)
    seen, cursor = [], None
    for _ in range(10):
        rows, next_cursor = page(query, cursor, 4)
        seen += rows
        if next_cursor is None:
            break
        cursor = decode_cursor(next_cursor)
    expected = sorted(stored, key=lambda e: (e.at, e.id), reverse=True)
    assert [e.id for e in seen] == [e.id for e in expected]


def test_the_schema_comparison_leaves_out_partitions_only():
    assert not partitions.include_name("audit_event_p2031_02", "table", {})
    assert not partitions.include_name("audit_event_default", "table", {})
    assert partitions.include_name("audit_event", "table", {})
    assert partitions.include_name("audit_event_p2031_02", "index", {})


def test_the_worker_keeps_the_coming_months_ready(app, monkeypatch):
    from portal import worker

    monkeypatch.setattr(worker, "_partitions_checked_at", None)
    monkeypatch.setitem(app.config, "AUDIT_PARTITION_MONTHS_AHEAD", 6)
    created = worker.maintain_audit_partitions()
    if postgres():
        assert created >= 1  # the migration made three months ahead; six are asked for now
        last = max(p.end for p in partitions.partitions() if p.end)
        assert last >= datetime.now(UTC) + timedelta(days=6 * 28)
    else:
        assert created == 0
    assert worker.maintain_audit_partitions() == 0  # at most once an hour
