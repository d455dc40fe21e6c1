"""PIP deadline start per municipality, DUO notice and BRP registration dates, a task's origin

Revision ID: b7e4d2a9c1f3
Revises: 7a3c9e1d4b2f
Create Date: 2026-12-03 14:30:00

- municipality.pip_deadline_start: the event the 10-week PIP deadline counts from in this
  municipality (NULL: the portal's PORTAL_PIP_DEADLINE_START).
- inburgering_case.duo_notice_date / brp_registration_date: recorded at the kennismakingsgesprek
  (Besluit inburgering 2021 art. 5.3: the later of the two may start the 10 weeks).
- human_task.origin_task_id: for a task opened by a boundary event (an escalation), the engine id
  of the task the event is attached to, so the escalation can show what it is about.
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e4d2a9c1f3'
down_revision = '7a3c9e1d4b2f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pip_deadline_start', sa.String(length=20), nullable=True))
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duo_notice_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('brp_registration_date', sa.Date(), nullable=True))
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_task_id', sa.String(length=36), nullable=True))


def downgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('origin_task_id')
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.drop_column('brp_registration_date')
        batch_op.drop_column('duo_notice_date')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('pip_deadline_start')
