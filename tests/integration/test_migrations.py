"""The migrations go both ways and match the models, on SQLite and on PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from complaints.extensions import db
from complaints.models.schema_scope import compared


def _differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, reflected, compare_to: compared(
                    obj, name, type_, reflected, connection.dialect.name
                ),
            },
        )
        return compare_metadata(context, db.metadata)


def test_the_migrated_schema_is_exactly_what_the_models_describe(app):
    assert _differences(app) == []


def test_every_migration_can_be_undone_one_step_and_redone(app):
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        assert len(list(script.walk_revisions())) >= 5
        db.session.remove()
        downgrade(revision="-1")
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
    assert _differences(app) == []
