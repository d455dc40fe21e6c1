"""Worklist search key, the deadline an escalation is about, deadline extensions

Revision ID: c4f1a8e2d6b9
Revises: c4f1a8e2d9b6
Create Date: 2026-12-03 16:00:00

- inburgering_case.search_key: name, reference and V-number without diacritics, case-folded, so a
  search for "kovalenko" or "Ömer Çelik" is one LIKE per word (filled here for existing cases).
- human_task.origin_due_at: for a task a boundary timer opened (an escalation), when that timer was due.
- human_task index (municipality_id, role, status, assignee_id): the worklists' filter.
- deadline_extension: a teamleider gave a case's open steps more time from an escalation, with a reason.
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = 'c4f1a8e2d6b9'
down_revision = 'c4f1a8e2d9b6'
branch_labels = None
depends_on = None


def _normalise(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def upgrade():
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.String(length=400), nullable=False, server_default=''))
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_human_task_worklist', ['municipality_id', 'role', 'status', 'assignee_id'],
                              unique=False)
    op.create_table(
        'deadline_extension',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('escalation_task_id', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=120), nullable=False),
        sa.Column('previous_due', sa.Date(), nullable=True),
        sa.Column('new_due', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=1000), nullable=False),
        sa.Column('task_ids', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['inburgering_case.id'],
                                name=op.f('fk_deadline_extension_case_id_inburgering_case')),
        sa.ForeignKeyConstraint(['escalation_task_id'], ['human_task.id'],
                                name=op.f('fk_deadline_extension_escalation_task_id_human_task')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_deadline_extension_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_extension')),
    )
    with op.batch_alter_table('deadline_extension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_extension_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_extension_escalation_task_id'), ['escalation_task_id'],
                              unique=False)
    cases = sa.table('inburgering_case', sa.column('id', sa.Integer), sa.column('first_name', sa.String),
                     sa.column('last_name', sa.String), sa.column('reference', sa.String),
                     sa.column('v_number', sa.String), sa.column('search_key', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(cases.c.id, cases.c.first_name, cases.c.last_name, cases.c.reference,
                                        cases.c.v_number)).all()
    for row in rows:
        key = _normalise(f"{row.first_name} {row.last_name} {row.reference} {row.v_number}")[:400]
        connection.execute(cases.update().where(cases.c.id == row.id).values(search_key=key))


def downgrade():
    with op.batch_alter_table('deadline_extension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_extension_escalation_task_id'))
        batch_op.drop_index(batch_op.f('ix_deadline_extension_case_id'))
    op.drop_table('deadline_extension')
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_worklist')
        batch_op.drop_column('origin_due_at')
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.drop_column('search_key')
