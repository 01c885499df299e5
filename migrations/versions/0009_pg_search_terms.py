"""search terms stored on PostgreSQL: the tsvector of each complaint is kept, not recomputed per row

On PostgreSQL the index matched `to_tsvector('simple', body)`, an expression: every candidate
row re-parsed its text to check a match and again to rank it, which made a common word cost a
few hundred milliseconds at a million complaints. The terms are now a stored generated column
with the GIN index on it. SQLite's FTS5 table is unchanged.

Revision ID: 0009_pg_search_terms
Revises: 0008_admin_audit
"""

from alembic import op

revision = "0009_pg_search_terms"
down_revision = "0008_admin_audit"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE complaint_fts ADD COLUMN terms tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED"
    )
    op.execute("DROP INDEX IF EXISTS ix_complaint_fts_body")
    op.execute("CREATE INDEX ix_complaint_fts_terms ON complaint_fts USING gin (terms)")
    op.execute("ANALYZE complaint_fts")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_complaint_fts_terms")
    op.execute("ALTER TABLE complaint_fts DROP COLUMN terms")
    op.execute("CREATE INDEX ix_complaint_fts_body ON complaint_fts USING gin (to_tsvector('simple', body))")
