"""service reports: the pledge's figures per quarter and half-year, as generated; the indexes of
the supervisors' dashboard (each agent's decisions and ratings in a period)

Revision ID: 0021_service_reports
Revises: 0020_shop_sanctions
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_service_reports"
down_revision = "0020_shop_sanctions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "service_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("last", sa.Date(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generated_by_id", sa.Integer(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["generated_by_id"], ["users.id"], name=op.f("fk_service_reports_generated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_reports")),
        sa.UniqueConstraint("kind", "year", "number", name=op.f("uq_service_reports_period")),
    )
    op.create_index(
        "ix_complaints_assignee_decided",
        "complaints",
        ["assignee_id", "decided_at", "state"],
        sqlite_where=sa.text("decided_at IS NOT NULL AND assignee_id IS NOT NULL"),
        postgresql_where=sa.text("decided_at IS NOT NULL AND assignee_id IS NOT NULL"),
    )
    op.create_index(
        "ix_complaints_assignee_rated",
        "complaints",
        ["assignee_id", "closed_at", "rating"],
        sqlite_where=sa.text("rating IS NOT NULL AND assignee_id IS NOT NULL"),
        postgresql_where=sa.text("rating IS NOT NULL AND assignee_id IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_complaints_assignee_rated", table_name="complaints")
    op.drop_index("ix_complaints_assignee_decided", table_name="complaints")
    op.drop_table("service_reports")
