"""What the comparison of the models with a migrated database looks at (alembic's autogenerate in
migrations/env.py, and tests/integration/test_migrations.py): one rule for both."""


def compared(object_, name, type_, reflected, dialect: str) -> bool:
    """Whether the comparison looks at this table or index, on a database of `dialect`: not the
    full-text tables (made by hand in migrations: FTS5 / GIN, not by the models), nor an index the
    models make on another kind of database only (Index.ddl_if)."""
    if type_ == "table" and name and name.startswith("complaint_fts"):
        return False
    condition = getattr(object_, "_ddl_if", None) if type_ == "index" and not reflected else None
    if condition is not None and condition.dialect:
        return condition.dialect == dialect
    return True
