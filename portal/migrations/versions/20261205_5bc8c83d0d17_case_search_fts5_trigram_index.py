"""The case list's search on SQLite from an FTS5 trigram index (case_search)

Revision ID: 5bc8c83d0d17
Revises: 9b4d6f8a1c23
Create Date: 2026-12-05 12:00:00

SQLite answered a search of the case list (and of the team worklist) by scanning the municipality's part
of ix_case_municipality_search and testing LIKE '%word%' on every entry: 25,000 entries per municipality at
100,000 cases. PostgreSQL has its trigram GIN index for this (2bdcab79f2b1); SQLite now has one of its own:
- case_search: an FTS5 table with the trigram tokenizer (SQLite 3.34 or later) over
  inburgering_case.search_key, external content (the text stays in inburgering_case; content_rowid is the
  case id), so a word of three or more characters is a lookup of its trigrams (MATCH '"word"': the rows
  that hold it as a substring; shorter words still scan ix_case_municipality_search);
- triggers after insert, delete and update of search_key on inburgering_case keep it in step (the
  external-content pattern: 'delete' of the old text, insert of the new), for the ORM and plain SQL alike;
- filled once with 'rebuild'.
PostgreSQL: nothing. At 100,000 cases: 0.6 s, 13 MB; the search of a name in a municipality of 25,000 cases
2.1 -> 0.8 ms of SQL, the case list searched for it 17-18 -> 14 ms p50 (portal.cases.services.matching_cases).

The statements are a frozen copy of portal.cases.models.SEARCH_INDEX_DDL (which create_all runs): a
migration does not import the models, as they will change after it. A later migration that recreates
inburgering_case on SQLite (batch "move and copy") drops these triggers with the old table and must make
them again.
"""
from alembic import op


revision = '5bc8c83d0d17'
down_revision = '9b4d6f8a1c23'
branch_labels = None
depends_on = None

STATEMENTS = (
    "CREATE VIRTUAL TABLE case_search USING fts5(search_key, content='inburgering_case', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER case_search_insert AFTER INSERT ON inburgering_case BEGIN "
    "INSERT INTO case_search (rowid, search_key) VALUES (new.id, new.search_key); END",
    "CREATE TRIGGER case_search_delete AFTER DELETE ON inburgering_case BEGIN "
    "INSERT INTO case_search (case_search, rowid, search_key) VALUES ('delete', old.id, old.search_key); END",
    "CREATE TRIGGER case_search_update AFTER UPDATE OF search_key ON inburgering_case BEGIN "
    "INSERT INTO case_search (case_search, rowid, search_key) VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO case_search (rowid, search_key) VALUES (new.id, new.search_key); END",
)


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in STATEMENTS:
        op.execute(statement)
    op.execute("INSERT INTO case_search (case_search) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("case_search_update", "case_search_delete", "case_search_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS case_search")
