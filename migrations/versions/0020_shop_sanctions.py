"""shop sanctions: measures proposed for shops below the line and decided by supervisors, and the
shop's timeline of those decisions

Revision ID: 0020_shop_sanctions
Revises: 0019_shop_reputation
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_shop_sanctions"
down_revision = "0019_shop_reputation"
branch_labels = None
depends_on = None

SANCTIONS = "shop_sanctions"
EVENTS = "shop_events"
STEPS = ("warning", "interview", "traffic_limit", "removal", "ban")
STATUSES = ("proposed", "in_force", "dismissed", "lifted")


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _step(name: str) -> sa.Column:
    return sa.Column(name, sa.Enum(*STEPS, name="sanctionstep", native_enum=False, length=16), nullable=False)


def upgrade():
    op.create_table(
        SANCTIONS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        _step("step"),
        _step("proposed_step"),
        sa.Column(
            "status", sa.Enum(*STATUSES, name="sanctionstatus", native_enum=False, length=16), nullable=False
        ),
        _when("proposed_at", nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        _when("decided_at"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("interview_record", sa.Text(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        _when("lifted_at"),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f(f"fk_{SANCTIONS}_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f(f"fk_{SANCTIONS}_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["users.id"], name=op.f(f"fk_{SANCTIONS}_lifted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{SANCTIONS}")),
    )
    op.create_index("uq_shop_sanctions_merchant_month", SANCTIONS, ["merchant_id", "month"], unique=True)
    op.create_index("ix_shop_sanctions_status", SANCTIONS, ["status", "effective_from"])
    op.create_table(
        EVENTS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        _when("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f(f"fk_{EVENTS}_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f(f"fk_{EVENTS}_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{EVENTS}")),
    )
    op.create_index(op.f(f"ix_{EVENTS}_merchant_id"), EVENTS, ["merchant_id"])


def downgrade():
    op.drop_index(op.f(f"ix_{EVENTS}_merchant_id"), table_name=EVENTS)
    op.drop_table(EVENTS)
    op.drop_index("ix_shop_sanctions_status", table_name=SANCTIONS)
    op.drop_index("uq_shop_sanctions_merchant_month", table_name=SANCTIONS)
    op.drop_table(SANCTIONS)
