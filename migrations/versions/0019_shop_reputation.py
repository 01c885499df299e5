"""shop reputation: each shop's figures, score and grade per month, and its recorded order volume

Revision ID: 0019_shop_reputation
Revises: 0018_mediation_referrals
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_shop_reputation"
down_revision = "0018_mediation_referrals"
branch_labels = None
depends_on = None

MONTHS = "shop_reputation_months"
VOLUMES = "shop_order_volumes"
COUNTS = (
    "complaints",
    "decided",
    "upheld",
    "replies_met",
    "replies_missed",
    "offers_made",
    "offers_accepted",
    "mediations_concluded",
    "mediations_settled",
    "unpaid_agreements",
    "deposit_payouts",
    "ratings",
    "rating_sum",
)


def upgrade():
    op.create_table(
        MONTHS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS[:1]),
        sa.Column("orders", sa.Integer(), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS[1:]),
        sa.Column("score", sa.Numeric(4, 1, asdecimal=True), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"], name=op.f(f"fk_{MONTHS}_merchant_id_merchants")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{MONTHS}")),
        sa.UniqueConstraint("merchant_id", "month", name=op.f(f"uq_{MONTHS}_merchant_id")),
    )
    op.create_table(
        VOLUMES,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"], name=op.f(f"fk_{VOLUMES}_merchant_id_merchants")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f(f"fk_{VOLUMES}_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{VOLUMES}")),
        sa.UniqueConstraint("merchant_id", "month", name=op.f(f"uq_{VOLUMES}_merchant_id")),
    )


def downgrade():
    op.drop_table(VOLUMES)
    op.drop_table(MONTHS)
