"""The team workload from indexes alone

Revision ID: 3c1e5a7b9d20
Revises: 2bdcab79f2b1
Create Date: 2026-12-04 15:00:00

Measured on a region of 100,000 cases (SQLite, bench/scale.py's builder; the teamleider's municipality
has 22,500 open cases and 17,500 open regisseur tasks): the team workload's two grouped queries took
181 ms and 44 ms, and take 2.5 ms and 2.7 ms with these indexes.
- human_task ix_human_task_worklist gains due_at, bpmn_id and case_id: the open tasks per regisseur and
  how many are late are counted from the index, the team list's step filter finds the open steps there
  (22 ms → 3 ms), and the worklists read their tasks from it without touching the table (the
  teamleider's 10,000 unassigned escalations: 12.5 ms → 3.5 ms; with due_at alone the rows were read in
  due order, scattered over the table: 18 ms). The lookups use its first four columns, as before.
- inburgering_case (municipality_id, closed_at, regisseur_id, stage_label): the open cases per
  regisseur and stage.
"""
from alembic import op


revision = '3c1e5a7b9d20'
down_revision = '2bdcab79f2b1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_worklist')
        batch_op.create_index('ix_human_task_worklist',
                              ['municipality_id', 'role', 'status', 'assignee_id', 'due_at', 'bpmn_id', 'case_id'],
                              unique=False)
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.create_index('ix_case_municipality_open_regisseur',
                              ['municipality_id', 'closed_at', 'regisseur_id', 'stage_label'], unique=False)


def downgrade():
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_municipality_open_regisseur')
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_worklist')
        batch_op.create_index('ix_human_task_worklist', ['municipality_id', 'role', 'status', 'assignee_id'],
                              unique=False)
