"""case_wait: the projection of the engine's wait states (timers, signals) for the designer's heatmap

Revision ID: d5a2b9c3e7f1
Revises: c4f1a8e2d6b9
Create Date: 2026-12-03 16:10:00

Rows are written with the human_task projection after every engine step; a case that has not moved
since this migration shows up once it next steps (the portal never loads workflows to count).
"""
from alembic import op
import sqlalchemy as sa


revision = 'd5a2b9c3e7f1'
down_revision = 'c4f1a8e2d6b9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_wait',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('process_version_id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.String(length=120), nullable=False),
        sa.Column('bpmn_id', sa.String(length=120), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('timer', sa.Boolean(), nullable=False),
        sa.Column('since', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['inburgering_case.id'], name=op.f('fk_case_wait_case_id_inburgering_case')),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_case_wait_municipality_id_municipality')),
        sa.ForeignKeyConstraint(['process_version_id'], ['process_version.id'],
                                name=op.f('fk_case_wait_process_version_id_process_version')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_wait')),
    )
    with op.batch_alter_table('case_wait', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_wait_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_case_wait_version_node', ['process_version_id', 'process_id', 'bpmn_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_wait', schema=None) as batch_op:
        batch_op.drop_index('ix_case_wait_version_node')
        batch_op.drop_index(batch_op.f('ix_case_wait_case_id'))
    op.drop_table('case_wait')
