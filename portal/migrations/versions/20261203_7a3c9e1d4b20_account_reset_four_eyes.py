"""account recovery with four eyes: reset requests, codes tied to them, signatures marked after a reset

Revision ID: 7a3c9e1d4b20
Revises: 5e1f0c2a9b7d
Create Date: 2026-12-03 13:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7a3c9e1d4b20'
down_revision = '5e1f0c2a9b7d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'account_reset',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_note', sa.String(length=500), nullable=True),
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['inburgering_case.id'], name=op.f('fk_account_reset_case_id_inburgering_case')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_account_reset_user_id_user_account')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'],
                                name=op.f('fk_account_reset_requested_by_id_user_account')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                                name=op.f('fk_account_reset_decided_by_id_user_account')),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_account_reset_municipality_id_municipality')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_reset')),
    )
    with op.batch_alter_table('account_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_reset_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_reset_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_reset_municipality_id'), ['municipality_id'], unique=False)
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reset_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_activation_code_reset_id_account_reset'), 'account_reset',
                                    ['reset_id'], ['id'])
    with op.batch_alter_table('plan_signature', schema=None) as batch_op:
        batch_op.add_column(sa.Column('after_account_reset_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('plan_signature', schema=None) as batch_op:
        batch_op.drop_column('after_account_reset_at')
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_activation_code_reset_id_account_reset'), type_='foreignkey')
        batch_op.drop_column('reset_id')
    with op.batch_alter_table('account_reset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_reset_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_account_reset_user_id'))
        batch_op.drop_index(batch_op.f('ix_account_reset_case_id'))
    op.drop_table('account_reset')
