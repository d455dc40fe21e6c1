"""The team pages' case indexes cover open cases only (partial), so PostgreSQL reads them in order

Revision ID: 7a2c4e6f8b10
Revises: 5e7a9c1b3d42
Create Date: 2026-12-04 17:40:00

PostgreSQL does not treat ``closed_at IS NULL`` as an equality when it orders by an index: with
(municipality_id, closed_at, next_deadline, …) it read all 22,500 open cases of the municipality and
sorted them for every page of the team worklist (21 ms at 100,000 cases; SQLite did use the order). The
same held for the workload's cases per regisseur and stage (a hash aggregate, 18 ms). Both indexes now
leave closed_at out of their columns and hold the open cases only (``WHERE closed_at IS NULL``, on
SQLite and PostgreSQL alike); the queries say ``closed_at IS NULL`` and so may use them. closed_at stays
as the last column: SQLite reads an index alone only when it holds every column the query names.
A third, (regisseur_id, next_deadline, …) over open cases, gives the team worklist of one regisseur
("Werkverdeling" links there) in order: with the municipality's index SQLite walked the deadline order
until 26 of that regisseur's cases turned up (7,000 rows for a caseload of 80 among 22,500).
"""
import sqlalchemy as sa
from alembic import op


revision = '7a2c4e6f8b10'
down_revision = '5e7a9c1b3d42'
branch_labels = None
depends_on = None

OPEN = sa.text('closed_at IS NULL')


def upgrade():
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_municipality_deadline')
        batch_op.drop_index('ix_case_municipality_open_regisseur')
        batch_op.create_index('ix_case_open_deadline',
                              ['municipality_id', 'next_deadline', 'last_name', 'first_name', 'id', 'closed_at'],
                              unique=False, sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_case_open_regisseur', ['municipality_id', 'regisseur_id', 'stage_label', 'closed_at'],
                              unique=False, sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_case_open_regisseur_deadline',
                              ['regisseur_id', 'next_deadline', 'last_name', 'first_name', 'id', 'closed_at'],
                              unique=False, sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_open_regisseur_deadline')
        batch_op.drop_index('ix_case_open_regisseur')
        batch_op.drop_index('ix_case_open_deadline')
        batch_op.create_index('ix_case_municipality_open_regisseur',
                              ['municipality_id', 'closed_at', 'regisseur_id', 'stage_label'], unique=False)
        batch_op.create_index('ix_case_municipality_deadline',
                              ['municipality_id', 'closed_at', 'next_deadline', 'last_name', 'first_name', 'id'],
                              unique=False)
