"""audit_event: monthly partitions on PostgreSQL (primary key (id, at)); SQLite keeps a plain table

On PostgreSQL the table is rebuilt as a partitioned table (PARTITION BY RANGE (at)): a partition per
month from the oldest event to three months ahead, and a default partition. The rows are copied, so
on a large audit table plan this migration for a quiet hour (about a minute per 10 million rows).
The id sequence stays the same. See portal/audit/partitions.py.

Revision ID: fed68296d57a
Revises: 803d3d68d873
Create Date: 2026-12-03 19:30:00
"""
from datetime import UTC, date, datetime

from alembic import op
import sqlalchemy as sa


revision = 'fed68296d57a'
down_revision = '803d3d68d873'
branch_labels = None
depends_on = None

MONTHS_AHEAD = 3
FOREIGN_KEYS = (
    ('fk_audit_event_case_id_inburgering_case', 'case_id', 'inburgering_case'),
    ('fk_audit_event_user_id_user_account', 'user_id', 'user_account'),
    ('fk_audit_event_municipality_id_municipality', 'municipality_id', 'municipality'),
)
INDEXES = (
    ('ix_audit_event_case_at', 'case_id, at'),
    ('ix_audit_event_subject_at', 'subject, at'),
    ('ix_audit_event_municipality_at', 'municipality_id, at, id'),
    ('ix_audit_event_user_at', 'user_id, at'),
    ('ix_audit_event_at', 'at'),
)


def _next_month(day):
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _keys_and_indexes(primary_key):
    op.execute(f"ALTER TABLE audit_event ADD CONSTRAINT pk_audit_event PRIMARY KEY ({primary_key})")
    for name, column, target in FOREIGN_KEYS:
        op.execute(f"ALTER TABLE audit_event ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES {target} (id)")
    for name, columns in INDEXES:
        op.execute(f"CREATE INDEX {name} ON audit_event ({columns})")


def _rebuild(partitioned):
    """Copy audit_event into a new table of the other kind, keeping its sequence, keys and indexes."""
    bind = op.get_bind()
    sequence = bind.scalar(sa.text("SELECT pg_get_serial_sequence('audit_event', 'id')"))
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
    op.execute("ALTER TABLE audit_event RENAME TO audit_event_old")
    op.execute("CREATE TABLE audit_event (LIKE audit_event_old INCLUDING DEFAULTS)"
               + (" PARTITION BY RANGE (at)" if partitioned else ""))
    if partitioned:
        oldest = bind.scalar(sa.text("SELECT min(at) FROM audit_event_old"))
        now = datetime.now(UTC)
        month = date((oldest or now).astimezone(UTC).year, (oldest or now).astimezone(UTC).month, 1)
        last = date(now.year, now.month, 1)
        for _ in range(MONTHS_AHEAD):
            last = _next_month(last)
        while month <= last:
            following = _next_month(month)
            op.execute(f"CREATE TABLE audit_event_p{month.year:04d}_{month.month:02d} PARTITION OF audit_event "
                       f"FOR VALUES FROM ('{month.isoformat()} 00:00:00+00') TO ('{following.isoformat()} 00:00:00+00')")
            month = following
        op.execute("CREATE TABLE audit_event_default PARTITION OF audit_event DEFAULT")
    op.execute("INSERT INTO audit_event SELECT * FROM audit_event_old")
    op.execute("DROP TABLE audit_event_old")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY audit_event.id")
    _keys_and_indexes("id, at" if partitioned else "id")


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        _rebuild(partitioned=True)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        _rebuild(partitioned=False)
