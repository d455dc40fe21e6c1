"""the audit trail readable (municipality per event, indexes), newcomers' data copies, case retention

Revision ID: c4f1a7e2d9b3
Revises: c4d8e2f1a6b3
Create Date: 2026-12-03 16:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4f1a7e2d9b3'
down_revision = 'c4d8e2f1a6b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event') as batch:
        batch.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_audit_event_municipality_id_municipality'), 'municipality',
                                 ['municipality_id'], ['id'])
    # existing events: the case's municipality, else the acting user's
    op.execute("UPDATE audit_event SET municipality_id = COALESCE("
               "(SELECT c.municipality_id FROM inburgering_case c WHERE c.id = audit_event.case_id), "
               "(SELECT u.municipality_id FROM user_account u WHERE u.id = audit_event.user_id))")
    op.create_index('ix_audit_event_municipality_at', 'audit_event', ['municipality_id', 'at', 'id'])
    op.create_index('ix_audit_event_user_at', 'audit_event', ['user_id', 'at'])
    op.create_index('ix_audit_event_at', 'audit_event', ['at'])

    op.create_table(
        'data_copy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('leased_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=1000), nullable=True),
        sa.Column('produced_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['inburgering_case.id'], name=op.f('fk_data_copy_case_id_inburgering_case')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_data_copy_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_copy')),
    )
    op.create_index('ix_data_copy_case_id', 'data_copy', ['case_id'])
    op.create_index('ix_data_copy_status_next', 'data_copy', ['status', 'next_attempt_at'])

    op.create_table(
        'case_retention',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('purged_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('kept_until', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['inburgering_case.id'],
                                name=op.f('fk_case_retention_case_id_inburgering_case')),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_retention')),
    )


def downgrade():
    op.drop_table('case_retention')
    op.drop_index('ix_data_copy_status_next', table_name='data_copy')
    op.drop_index('ix_data_copy_case_id', table_name='data_copy')
    op.drop_table('data_copy')
    op.drop_index('ix_audit_event_at', table_name='audit_event')
    op.drop_index('ix_audit_event_user_at', table_name='audit_event')
    op.drop_index('ix_audit_event_municipality_at', table_name='audit_event')
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_constraint(op.f('fk_audit_event_municipality_id_municipality'), type_='foreignkey')
        batch.drop_column('municipality_id')
