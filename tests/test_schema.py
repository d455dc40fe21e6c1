"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.audit.partitions import include_name
from portal.extensions import db


def test_migrations_and_models_agree(app):
    """Fails when a model changed without a migration (or a migration without the model): the test
    database is built by the real migrations (tests/conftest.py), then compared with the models. The
    audit trail's monthly partitions (PostgreSQL) are storage of ``audit_event``, not tables of a model."""
    context = MigrationContext.configure(db.session.connection(),
                                         opts={"compare_type": True, "include_name": include_name})
    differences = compare_metadata(context, db.metadata)
    assert differences == []
