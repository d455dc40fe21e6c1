"""A case's next deadline stored, so the team worklist reads a page in index order

Revision ID: 5e7a9c1b3d42
Revises: 3c1e5a7b9d20
Create Date: 2026-12-04 15:10:00

The team worklist ("Alle dossiers van het team") sorted every open case of the municipality on a
deadline computed per request from the open tasks (a join and GROUP BY over 22,500 cases and 17,500
tasks at 100,000 cases: 175 ms of SQL per page). Now:
- inburgering_case.next_step_due: the earliest due moment of the case's open regisseur steps, kept by
  portal.tasks.worklist.refresh_step_due after every engine step, deadline extension and rollback;
- inburgering_case.next_deadline: the earlier of that and the PIP deadline while no PIP is decided,
  9999-12-31 when there is neither (cases.models.NO_DEADLINE: it sorts last in an index), kept on every
  write of the case;
- index (municipality_id, closed_at, next_deadline, last_name, first_name, id): a page in its order.
Both are filled here from the tasks and the PIP dates.
"""
from datetime import UTC, datetime, time

import sqlalchemy as sa
from alembic import op


revision = '5e7a9c1b3d42'
down_revision = '3c1e5a7b9d20'
branch_labels = None
depends_on = None

NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)
BATCH = 5000


def _aware(value):
    if value is None:
        return None
    if isinstance(value, str):  # SQLite keeps timestamps as text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _day(value):
    if value is None or not isinstance(value, str):
        return value
    return datetime.fromisoformat(value).date()


def _fill() -> None:
    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE inburgering_case SET next_step_due = (SELECT MIN(h.due_at) FROM human_task h "
        "WHERE h.case_id = inburgering_case.id AND h.status = 'open' AND h.role = 'regisseur')"))
    sqlite = bind.dialect.name == "sqlite"
    update = sa.text("UPDATE inburgering_case SET next_deadline = :deadline WHERE id = :id")
    last = 0
    while True:
        rows = bind.execute(sa.text(
            "SELECT id, next_step_due, pip_deadline, pip_decided_on FROM inburgering_case WHERE id > :last "
            "ORDER BY id LIMIT :batch"), {"last": last, "batch": BATCH}).all()
        if not rows:
            return
        values = []
        for case_id, step_due, pip_deadline, pip_decided_on in rows:
            moments = [_aware(step_due)] if step_due is not None else []
            if pip_decided_on is None and pip_deadline is not None:
                moments.append(datetime.combine(_day(pip_deadline), time(), UTC))
            deadline = min(moments, default=NO_DEADLINE)
            # as the portal's UTCDateTime binds it: naive UTC text on SQLite, aware on PostgreSQL
            values.append({"id": case_id, "deadline": deadline.replace(tzinfo=None) if sqlite else deadline})
        bind.execute(update, values)
        last = rows[-1][0]


def upgrade():
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_step_due', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_deadline', sa.DateTime(timezone=True), nullable=True))
    _fill()
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.create_index('ix_case_municipality_deadline',
                              ['municipality_id', 'closed_at', 'next_deadline', 'last_name', 'first_name', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_municipality_deadline')
        batch_op.drop_column('next_deadline')
        batch_op.drop_column('next_step_due')
