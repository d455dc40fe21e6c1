"""`portal audit purge`: the audit trail's own retention, on both databases.

Events older than PORTAL_AUDIT_RETENTION_YEARS go — except those of a case still within its own
retention (open, or closed less than RETENTION_CASE_YEARS ago). On PostgreSQL a month partition with
nothing to keep is dropped whole; elsewhere due rows are deleted in batches. The purge is recorded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import partitions
from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.extensions import db
from portal.retention.audit import PurgeRefused, purge_audit


def event(at: datetime, case=None) -> int:
    stored = AuditEvent(at=at, action="read", subject="case", purpose="test", case_id=case.id if case else None)
    db.session.add(stored)
    db.session.flush()
    return stored.id


def remaining(ids) -> set[int]:
    return set(db.session.scalars(select(AuditEvent.id).where(AuditEvent.id.in_(list(ids)))))


@pytest.fixture
def trail(create_user, create_case):
    """Old and new events of an open case, a case closed long ago, a case closed last year and of no case."""
    ria = create_user("ria")
    open_case = create_case(ria, first="Open")
    long_closed = create_case(ria, first="Lang", last="Gesloten")
    long_closed.closed_at = datetime(2020, 1, 10, tzinfo=UTC)
    recently_closed = create_case(ria, first="Pas", last="Gesloten")
    recently_closed.closed_at = utcnow() - timedelta(days=365)
    if partitions.is_partitioned():
        partitions.ensure_months(date(2019, 1, 1), date(2019, 3, 1))
    ids = {
        # January 2019: nothing to keep → on PostgreSQL the whole month is dropped
        "jan_none": event(datetime(2019, 1, 5, tzinfo=UTC)),
        "jan_long_closed": event(datetime(2019, 1, 20, tzinfo=UTC), long_closed),
        # February 2019: an event of the open case keeps the month; its other rows are deleted
        "feb_open": event(datetime(2019, 2, 3, tzinfo=UTC), open_case),
        "feb_none": event(datetime(2019, 2, 4, tzinfo=UTC)),
        # March 2019: the case closed last year is still within its retention
        "mar_recent": event(datetime(2019, 3, 9, tzinfo=UTC), recently_closed),
        "mar_long_closed": event(datetime(2019, 3, 10, tzinfo=UTC), long_closed),
        # 2018: no month of its own (the default partition on PostgreSQL)
        "old_default": event(datetime(2018, 6, 1, tzinfo=UTC)),
        # young events stay whatever their case
        "new_long_closed": event(utcnow() - timedelta(days=30), long_closed),
        "new_none": event(utcnow() - timedelta(days=1)),
    }
    db.session.commit()  # (a savepoint in the test's transaction) a command's rollback must not undo it
    return ids


KEPT = {"feb_open", "mar_recent", "new_long_closed", "new_none"}


def test_the_purge_keeps_young_events_and_those_of_cases_within_their_retention(trail):
    result = purge_audit(utcnow(), 5, 5, batch=2, commit=db.session.flush)
    db.session.expire_all()
    assert remaining(trail.values()) == {trail[name] for name in KEPT}
    assert result.deleted == len(trail) - len(KEPT)
    if partitions.is_partitioned():
        assert [name for name, _rows in result.dropped] == ["audit_event_p2019_01"]
        names = {p.name for p in partitions.partitions()}
        assert "audit_event_p2019_01" not in names and {"audit_event_p2019_02", "audit_event_p2019_03"} <= names
    else:
        assert result.dropped == []
    recorded = db.session.scalar(select(AuditEvent).where(AuditEvent.subject == "audit_event:retention"))
    assert recorded.action == "write" and recorded.purpose == "audit.purge"
    assert recorded.detail["deleted"] == result.deleted and recorded.user_id is None


def test_a_dry_run_counts_the_same_and_changes_nothing(trail):
    planned = purge_audit(utcnow(), 5, 5, dry_run=True)
    assert remaining(trail.values()) == set(trail.values())
    if partitions.is_partitioned():
        assert any(p.name == "audit_event_p2019_01" for p in partitions.partitions())
    done = purge_audit(utcnow(), 5, 5)
    assert planned.deleted == done.deleted == len(trail) - len(KEPT)
    assert planned.dropped == done.dropped


def test_before_narrows_the_purge_and_may_not_reach_into_the_retention_period(trail):
    result = purge_audit(utcnow(), 5, 5, before=datetime(2019, 1, 1, tzinfo=UTC))
    assert result.deleted == 1 and trail["old_default"] not in remaining(trail.values())
    with pytest.raises(PurgeRefused):
        purge_audit(utcnow(), 5, 5, before=utcnow() - timedelta(days=365))


def test_years_zero_keeps_the_trail_for_ever(trail):
    assert purge_audit(utcnow(), 0, 5) is None
    assert remaining(trail.values()) == set(trail.values())


def test_the_commands(app, trail):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["audit", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"{len(trail) - len(KEPT)} audit events before" in dry.output and "dry run" in dry.output
    refused = runner.invoke(args=["audit", "purge", "--before", (utcnow() - timedelta(days=30)).strftime("%Y-%m-%d")])
    assert refused.exit_code != 0 and "within the retention period" in refused.output
    listed = runner.invoke(args=["audit", "partitions", "--months-ahead", "2"])
    assert listed.exit_code == 0, listed.output
    if partitions.is_partitioned():
        assert "audit_event_p2019_02" in listed.output and "audit_event_default" in listed.output
    else:
        assert "not partitioned" in listed.output
    done = runner.invoke(args=["audit", "purge"])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert remaining(trail.values()) == {trail[name] for name in KEPT}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.subject == "audit_event:retention")) == 1
