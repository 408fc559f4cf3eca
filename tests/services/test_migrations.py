"""Migrations: an empty database upgrades to head and matches the models exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from marketplace.extensions import db
from marketplace.models.openings import include_in_autogenerate


def test_upgraded_schema_has_no_pending_autogenerate_diff(app, backend):
    # `app` was built by upgrading an empty database to head (SQLite copy or fresh PostgreSQL schema).
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_in_autogenerate})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ on {backend}: {diff}"


def test_every_table_of_the_models_exists_after_upgrade(app):
    from sqlalchemy import inspect

    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables
