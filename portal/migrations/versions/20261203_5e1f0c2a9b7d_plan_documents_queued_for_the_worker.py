"""plan documents queued for the worker (rendered and sealed outside the case lock)

Revision ID: 5e1f0c2a9b7d
Revises: d6a61c7539a3
Create Date: 2026-12-03 09:30:00

Existing documents were rendered inside the request: they are ``ready``.
"""
from alembic import op
import sqlalchemy as sa


revision = '5e1f0c2a9b7d'
down_revision = 'd6a61c7539a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='ready', nullable=False))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('leased_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('produced_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=True)
        batch_op.alter_column('sha256', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index('ix_plan_document_status_next', ['status', 'next_attempt_at'], unique=False)


def downgrade():
    op.execute("DELETE FROM plan_document WHERE status <> 'ready'")
    with op.batch_alter_table('plan_document', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_document_status_next')
        batch_op.alter_column('sha256', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('produced_at')
        batch_op.drop_column('last_error')
        batch_op.drop_column('leased_until')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('status')
