"""The beheerder runs the portal: blocked accounts, municipality settings, a case's PIP start event, COA uploads

Revision ID: c4d8e2f1a6b3
Revises: d5a2b9c3e7f1
Create Date: 2026-12-03 16:00:00

- user_account.deactivated_at: blocked by the beheerder (no sign-in; accounts are never deleted).
- municipality.escalation_terms / contact_phone / contact_email / contact_address / languages: the
  municipality's settings (portal.admin.terms); terms are copied into each new case's process.
- inburgering_case.pip_deadline_event: the start event of the 10-week deadline in force when the case was
  opened (a later change of the setting is for new cases only); NULL for older cases.
- coa_upload: an uploaded COA file between preview and confirmation (token hash, bytes, result).
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4d8e2f1a6b3'
down_revision = 'd5a2b9c3e7f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalation_terms', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('contact_address', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('languages', sa.JSON(), nullable=True))
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pip_deadline_event', sa.String(length=20), nullable=True))
    op.create_table(
        'coa_upload',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_coa_upload_user_id_user_account')),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_coa_upload_municipality_id_municipality')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coa_upload')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_coa_upload_token_hash')),
    )
    with op.batch_alter_table('coa_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coa_upload_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('coa_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coa_upload_user_id'))
    op.drop_table('coa_upload')
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.drop_column('pip_deadline_event')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('languages')
        batch_op.drop_column('contact_address')
        batch_op.drop_column('contact_email')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('escalation_terms')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('deactivated_at')
