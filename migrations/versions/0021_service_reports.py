"""service reports: the pledge's figures per quarter and half-year, as generated

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


def downgrade():
    op.drop_table("service_reports")
