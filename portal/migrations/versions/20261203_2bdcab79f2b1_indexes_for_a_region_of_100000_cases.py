"""Indexes for a region of 100,000 cases: worklists, case list, search

Revision ID: 2bdcab79f2b1
Revises: fed68296d57a
Create Date: 2026-12-03 19:30:00

Measured with bench/scale.py (README, "Prestaties / schaal"):
(The worklist needs no new index: its query now reads ix_human_task_worklist with all four columns
equal, once for the user's own tasks and once for the unassigned ones, portal.tasks.worklist._my_tasks.)
- inburgering_case (municipality_id, koppeling_date, id) and (regisseur_id, koppeling_date, id): the case
  list's page in its order without sorting every case of the municipality.
- inburgering_case (municipality_id, stage, stage_label) replaces (municipality_id, stage): the stage
  filter and the counts per stage from the index alone.
- inburgering_case (municipality_id, search_key): search scans this index instead of the case rows.
- PostgreSQL only: the pg_trgm extension and a GIN trigram index on search_key, so LIKE '%kova%' is an
  index lookup. Where the extension cannot be created (no rights, not installed) the migration goes on
  without it: search still works, by scanning (the portal logs nothing, the operator sees it in \\dx).
"""
import sqlalchemy as sa
from alembic import op


revision = '2bdcab79f2b1'
down_revision = 'fed68296d57a'
branch_labels = None
depends_on = None


def _trigram_index() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
    if available is None:
        return
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        savepoint.commit()
    except sa.exc.DBAPIError:  # no right to create extensions: search scans instead
        savepoint.rollback()
        return
    op.execute("CREATE INDEX IF NOT EXISTS ix_case_search_trgm ON inburgering_case "
               "USING gin (search_key gin_trgm_ops)")


def upgrade():
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_municipality_stage')
        batch_op.create_index('ix_case_municipality_stage', ['municipality_id', 'stage', 'stage_label'],
                              unique=False)
        batch_op.create_index('ix_case_municipality_koppeling', ['municipality_id', 'koppeling_date', 'id'],
                              unique=False)
        batch_op.create_index('ix_case_regisseur_koppeling', ['regisseur_id', 'koppeling_date', 'id'], unique=False)
        batch_op.create_index('ix_case_municipality_search', ['municipality_id', 'search_key'], unique=False)
    _trigram_index()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_case_search_trgm")
    with op.batch_alter_table('inburgering_case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_municipality_search')
        batch_op.drop_index('ix_case_regisseur_koppeling')
        batch_op.drop_index('ix_case_municipality_koppeling')
        batch_op.drop_index('ix_case_municipality_stage')
        batch_op.create_index('ix_case_municipality_stage', ['municipality_id', 'stage'], unique=False)
