"""the shop's guarantee deposit: an append-only ledger, its running total per shop, payout requests

Every shop gets an account row at 0.00, so the first top-up updates a row like every later one
(the row is what concurrent payouts queue on; see complaints/services/deposits.py).

Revision ID: 0014_deposit_ledger
Revises: 0013_desk_tools
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_deposit_ledger"
down_revision = "0013_desk_tools"
branch_labels = None
depends_on = None

_PAYOUT_STATUSES = ("requested", "consented", "approved", "paid", "refused", "cancelled")
_ENTRY_KINDS = ("top_up", "payout", "adjustment")


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user(name: str, table: str, nullable: bool = True) -> sa.Column:
    return sa.Column(
        name,
        sa.Integer(),
        sa.ForeignKey("users.id", name=f"fk_{table}_{name}_users"),
        nullable=nullable,
    )


def upgrade():
    op.create_table(
        "deposit_accounts",
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("balance", sa.Numeric(precision=12, scale=2), nullable=False),
        _when("updated_at"),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_deposit_accounts_never_negative")),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_deposit_accounts_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("merchant_id", name=op.f("pk_deposit_accounts")),
    )
    op.create_index("ix_deposit_accounts_balance", "deposit_accounts", ["balance"])
    table = "deposit_payout_requests"
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*_PAYOUT_STATUSES, name="payoutstatus", native_enum=False, length=16),
            nullable=False,
        ),
        _user("requested_by_id", table, nullable=False),
        _when("requested_at"),
        sa.Column("consent_name", sa.String(length=120), nullable=True),
        sa.Column("consent_confirmed", sa.Boolean(), nullable=False),
        _when("consented_at", nullable=True),
        _user("consented_by_id", table),
        _user("approved_by_id", table),
        _when("approved_at", nullable=True),
        _user("paid_by_id", table),
        _when("paid_at", nullable=True),
        _user("closed_by_id", table),
        _when("closed_at", nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_deposit_payout_requests_amount_positive")),
        sa.CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> requested_by_id",
            name=op.f("ck_deposit_payout_requests_four_eyes"),
        ),
        sa.CheckConstraint(
            "status NOT IN ('approved', 'paid') OR (consented_at IS NOT NULL AND approved_at IS NOT NULL)",
            name=op.f("ck_deposit_payout_requests_consent_and_approval_first"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_deposit_payout_requests_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_deposit_payout_requests_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_payout_requests")),
    )
    op.create_index("ix_deposit_payout_requests_status", table, ["status", "id"])
    op.create_index("ix_deposit_payout_requests_complaint", table, ["complaint_id", "id"])
    op.create_index("ix_deposit_payout_requests_merchant", table, ["merchant_id", "id"])
    op.create_table(
        "deposit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum(*_ENTRY_KINDS, name="entrykind", native_enum=False, length=16), nullable=False
        ),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("balance_after", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("payout_request_id", sa.Integer(), nullable=True),
        _user("recorded_by_id", "deposit_entries"),
        _when("created_at"),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_deposit_entries_amount_not_zero")),
        sa.CheckConstraint("balance_after >= 0", name=op.f("ck_deposit_entries_balance_never_negative")),
        sa.CheckConstraint("kind <> 'top_up' OR amount > 0", name=op.f("ck_deposit_entries_top_up_adds")),
        sa.CheckConstraint(
            "kind <> 'payout' OR (amount < 0 AND complaint_id IS NOT NULL AND payout_request_id IS NOT NULL)",
            name=op.f("ck_deposit_entries_payout_names_its_request"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_deposit_entries_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_deposit_entries_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(
            ["payout_request_id"],
            ["deposit_payout_requests.id"],
            name=op.f("fk_deposit_entries_payout_request_id_deposit_payout_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_entries")),
        sa.UniqueConstraint("payout_request_id", name=op.f("uq_deposit_entries_payout_request_id")),
    )
    op.create_index("ix_deposit_entries_merchant", "deposit_entries", ["merchant_id", "id"])
    op.execute(
        "INSERT INTO deposit_accounts (merchant_id, balance, updated_at) "
        "SELECT id, 0, CURRENT_TIMESTAMP FROM merchants"
    )


def downgrade():
    op.drop_index("ix_deposit_entries_merchant", table_name="deposit_entries")
    op.drop_table("deposit_entries")
    for name in ("merchant", "complaint", "status"):
        op.drop_index(f"ix_deposit_payout_requests_{name}", table_name="deposit_payout_requests")
    op.drop_table("deposit_payout_requests")
    op.drop_index("ix_deposit_accounts_balance", table_name="deposit_accounts")
    op.drop_table("deposit_accounts")
