"""A municipality's staff of one role from an index

Revision ID: 1f3a5c7e9b02
Revises: 5bc8c83d0d17
Create Date: 2026-12-06 03:00:00

user_account holds every newcomer's account besides the staff: 100,000 of them in a region of 100,000
cases. The municipality's regisseurs (the team workload's lines, the lists to hand a case over to) were
found by reading all of them; with (municipality_id, role, display_name) a role's people are one range of
the index, already in name order.
"""
from alembic import op


revision = '1f3a5c7e9b02'
down_revision = '5bc8c83d0d17'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index('ix_user_account_municipality_role', ['municipality_id', 'role', 'display_name'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index('ix_user_account_municipality_role')
