"""Process migrations: runs and per-case outcomes with the state before

Revision ID: c3f8a1d2e4b6
Revises: b7e4d2a9c1f3
Create Date: 2026-12-03 15:56:17

- process_migration: one run of `portal bpmn migrate` (target, source, counts, rollback).
- case_migration: per case what the run did (moved, refused, failed, rolled back, kept) and, for a
  moved case, its state before the move, so that a rollback restores it exactly.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f8a1d2e4b6'
down_revision = 'b7e4d2a9c1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('process_migration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_version_id', sa.Integer(), nullable=True),
    sa.Column('target_version_id', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('moved', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rolled_back_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rolled_back_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rolled_back_by_id'], ['user_account.id'], name=op.f('fk_process_migration_rolled_back_by_id_user_account')),
    sa.ForeignKeyConstraint(['source_version_id'], ['process_version.id'], name=op.f('fk_process_migration_source_version_id_process_version')),
    sa.ForeignKeyConstraint(['started_by_id'], ['user_account.id'], name=op.f('fk_process_migration_started_by_id_user_account')),
    sa.ForeignKeyConstraint(['target_version_id'], ['process_version.id'], name=op.f('fk_process_migration_target_version_id_process_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_migration'))
    )
    op.create_table('case_migration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('migration_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('old_version_id', sa.Integer(), nullable=False),
    sa.Column('old_state', sa.JSON(), nullable=True),
    sa.Column('old_next_timer_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('old_stage', sa.String(length=80), nullable=True),
    sa.Column('old_stage_label', sa.String(length=200), nullable=True),
    sa.Column('old_stage_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('new_lock_version', sa.Integer(), nullable=True),
    sa.Column('opened_task_ids', sa.JSON(), nullable=False),
    sa.Column('cancelled_task_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['inburgering_case.id'], name=op.f('fk_case_migration_case_id_inburgering_case')),
    sa.ForeignKeyConstraint(['migration_id'], ['process_migration.id'], name=op.f('fk_case_migration_migration_id_process_migration')),
    sa.ForeignKeyConstraint(['old_version_id'], ['process_version.id'], name=op.f('fk_case_migration_old_version_id_process_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_migration'))
    )
    with op.batch_alter_table('case_migration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_migration_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_case_migration_run', ['migration_id', 'outcome'], unique=False)



def downgrade():
    with op.batch_alter_table('case_migration', schema=None) as batch_op:
        batch_op.drop_index('ix_case_migration_run')
        batch_op.drop_index(batch_op.f('ix_case_migration_case_id'))

    op.drop_table('case_migration')
    op.drop_table('process_migration')
