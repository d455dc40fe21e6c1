"""The teamleider's own worklist in the order of a stored deadline

Revision ID: 9b4d6f8a1c23
Revises: 7a2c4e6f8b10
Create Date: 2026-12-05 08:00:00

The teamleider's own worklist (escalations, concerns, approvals) grouped every open teamleider task of the
municipality per case to sort on its earliest deadline: 10,000 escalations at 100,000 cases cost 20-60 ms
of SQL per page. Now, as for the team list (5e7a9c1b3d42):
- inburgering_case.next_lead_due: the earliest due moment of the case's open teamleider tasks
  (9999-12-31 when they have none; NULL when there are none), kept by
  portal.tasks.worklist.refresh_step_due;
- inburgering_case.lead_deadline: the earlier of that and the PIP deadline while no PIP is decided,
  NULL without open teamleider tasks; kept on every write of the case;
- index (municipality_id, lead_deadline, last_name, first_name, id) over the cases that have one.
Both are filled here from the open tasks and the PIP dates.
"""
from datetime import UTC, datetime, time

import sqlalchemy as sa
from alembic import op


revision = '9b4d6f8a1c23'
down_revision = '7a2c4e6f8b10'
branch_labels = None
depends_on = None

NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)
LISTED = sa.text('lead_deadline IS NOT NULL')
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
    sqlite = bind.dialect.name == "sqlite"
    moment = sa.DateTime(timezone=not sqlite)  # as the portal's UTCDateTime binds it: naive UTC text on SQLite

    def stored(value):
        return value.replace(tzinfo=None) if sqlite else value

    update = sa.text("UPDATE inburgering_case SET next_lead_due = :due, lead_deadline = :deadline WHERE id = :id"
                     ).bindparams(sa.bindparam("due", type_=moment), sa.bindparam("deadline", type_=moment))
    last = 0
    while True:
        rows = bind.execute(sa.text(
            "SELECT c.id, MIN(h.due_at), c.pip_deadline, c.pip_decided_on FROM human_task h "
            "JOIN inburgering_case c ON c.id = h.case_id WHERE h.status = 'open' AND h.role = 'teamleider' "
            "AND c.id > :last GROUP BY c.id, c.pip_deadline, c.pip_decided_on ORDER BY c.id LIMIT :batch"),
            {"last": last, "batch": BATCH}).all()
        if not rows:
            return
        values = []
        for case_id, due, pip_deadline, pip_decided_on in rows:
            lead_due = _aware(due) or NO_DEADLINE
            moments = [lead_due] if lead_due != NO_DEADLINE else []
            if pip_decided_on is None and pip_deadline is not None:
                moments.append(datetime.combine(_day(pip_deadline), time(), UTC))
            values.append({"id": case_id, "due": stored(lead_due),
                           "deadline": stored(min(moments, default=NO_DEADLINE))})
        bind.execute(update, values)
        last = rows[-1][0]


def upgrade():
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_lead_due', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lead_deadline', sa.DateTime(timezone=True), nullable=True))
    _fill()
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.create_index('ix_case_lead_deadline', ['municipality_id', 'lead_deadline', 'last_name', 'first_name',
                                                        'id'], unique=False, sqlite_where=LISTED,
                              postgresql_where=LISTED)


def downgrade():
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_lead_deadline')
        batch_op.drop_column('lead_deadline')
        batch_op.drop_column('next_lead_due')
