"""process drafts: a server-side working copy of workflows/ for the designer

Revision ID: f24a064c0de0
Revises: c4f1a7e2d9b3
Create Date: 2026-12-03 19:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f24a064c0de0'
down_revision = 'c4f1a7e2d9b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'process_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('base_version_id', sa.Integer(), nullable=True),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('deployed_version_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['base_version_id'], ['process_version.id'],
                                name=op.f('fk_process_draft_base_version_id_process_version')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_process_draft_created_by_id_user_account')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_process_draft_updated_by_id_user_account')),
        sa.ForeignKeyConstraint(['deployed_version_id'], ['process_version.id'],
                                name=op.f('fk_process_draft_deployed_version_id_process_version')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_process_draft')),
    )


def downgrade():
    op.drop_table('process_draft')
