"""deploy from the browser with four eyes (deploy_request, designer_setting); migrations as worker jobs

Revision ID: 803d3d68d873
Revises: f6da50b99abf
Create Date: 2026-12-03 19:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '803d3d68d873'
down_revision = 'f6da50b99abf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'deploy_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('version_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'],
                                name=op.f('fk_deploy_request_requested_by_id_user_account')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                                name=op.f('fk_deploy_request_decided_by_id_user_account')),
        sa.ForeignKeyConstraint(['version_id'], ['process_version.id'],
                                name=op.f('fk_deploy_request_version_id_process_version')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deploy_request')),
    )
    op.create_index(op.f('ix_deploy_request_status'), 'deploy_request', ['status'], unique=False)
    op.create_table(
        'designer_setting',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('value', sa.JSON(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_designer_setting_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_designer_setting')),
    )
    with op.batch_alter_table('process_migration') as batch:
        batch.add_column(sa.Column('dry_run', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('total', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('leased_until', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('last_error', sa.String(length=1000), nullable=True))


def downgrade():
    with op.batch_alter_table('process_migration') as batch:
        batch.drop_column('last_error')
        batch.drop_column('attempts')
        batch.drop_column('leased_until')
        batch.drop_column('total')
        batch.drop_column('dry_run')
    op.drop_table('designer_setting')
    op.drop_index(op.f('ix_deploy_request_status'), table_name='deploy_request')
    op.drop_table('deploy_request')
