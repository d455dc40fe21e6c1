"""regional staff and the names policy: municipalities a beheerder or fg administers besides their own
(staff_municipality), and each municipality's policy for "Wie heeft mijn dossier bekeken"
(municipality.newcomer_audit_names, default: roles only)

Revision ID: f6da50b99abf
Revises: f24a064c0de0
Create Date: 2026-12-03 19:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f6da50b99abf'
down_revision = 'f24a064c0de0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staff_municipality',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_staff_municipality_municipality_id_municipality')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_staff_municipality_user_id_user_account')),
        sa.PrimaryKeyConstraint('user_id', 'municipality_id', name=op.f('pk_staff_municipality')),
    )
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('newcomer_audit_names', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('newcomer_audit_names')
    op.drop_table('staff_municipality')
