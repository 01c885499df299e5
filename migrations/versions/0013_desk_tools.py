"""desk tools: canned replies, duplicate links, saved queue filters, the queue by priority, and
an English form beside every name an admin enters

Names an admin enters (pledge policies, working calendars, mediation organisations, a policy
version's note, a calendar day's note such as a holiday's name) were one string shown in both
languages. The existing string stays the Chinese form (the pledge is published in Chinese); its
English form starts as a copy until an admin writes one.

Revision ID: 0013_desk_tools
Revises: 0011_pending_uploads
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_desk_tools"
down_revision = "0011_pending_uploads"
branch_labels = None
depends_on = None

_OPEN = "state IN ('received', 'verified', 'mediated')"
_ENGLISH_FORMS = (
    ("sla_policies", "name", 120),
    ("work_calendars", "name", 100),
    ("mediation_organisations", "name", 200),
    ("sla_policy_versions", "note", 200),
    ("calendar_days", "note", 200),
)


def upgrade():
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_zh", sa.String(length=120), nullable=False),
        sa.Column("title_en", sa.String(length=120), nullable=False),
        sa.Column("body_zh", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_canned_replies_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_replies")),
    )
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_filters_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filters")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_filters_user_id")),
    )
    # A plain ADD COLUMN, not a batch copy of the largest table: SQLite accepts a nullable
    # column with its foreign key in place (as 0002 did for policy_version_id).
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE complaints ADD COLUMN duplicate_of_id INTEGER "
            "CONSTRAINT fk_complaints_duplicate_of_id_complaints REFERENCES complaints (id)"
        )
    else:
        op.add_column("complaints", sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_complaints_duplicate_of_id_complaints", "complaints", "complaints", ["duplicate_of_id"], ["id"]
        )
    op.create_index("ix_complaints_duplicate_of", "complaints", ["duplicate_of_id"])
    op.create_index(
        "ix_complaints_open_priority_created",
        "complaints",
        ["priority", "created_at", "id"],
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )
    for table, column, length in _ENGLISH_FORMS:
        op.add_column(
            table, sa.Column(f"{column}_en", sa.String(length=length), nullable=False, server_default="")
        )
        op.execute(f"UPDATE {table} SET {column}_en = {column}")


def downgrade():
    for table, column, _length in _ENGLISH_FORMS:
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}_en")
    op.drop_index("ix_complaints_open_priority_created", table_name="complaints")
    op.drop_index("ix_complaints_duplicate_of", table_name="complaints")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_complaints_duplicate_of_id_complaints", "complaints", type_="foreignkey")
    op.execute("ALTER TABLE complaints DROP COLUMN duplicate_of_id")
    op.drop_table("saved_filters")
    op.drop_table("canned_replies")
