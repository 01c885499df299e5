"""the shop as a party: two waiting flags, settlement offers, staff invitations, notification preferences

- `complaints.waiting_on` (one party at a time) becomes two independent flags, so asking the shop
  while waiting on the consumer keeps both pauses right.
- `settlement_offers`: a shop's offer and the consumer's answer.
- `merchant_invitations`: one-time links for a shop's staff (only the token's hash is kept).
- `users.email_frequency` and `users.email_muted`: when, and about what, a person is e-mailed.

Revision ID: 0010_merchant_party
Revises: 0009_pg_search_terms
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_merchant_party"
down_revision = "0009_pg_search_terms"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on both databases: SQLite's batch mode would copy and drop these tables,
    # which other tables' foreign keys refer to (and the application turns those checks on).
    op.add_column(
        "complaints",
        sa.Column("waiting_on_consumer", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "complaints",
        sa.Column("waiting_on_merchant", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE complaints SET waiting_on_consumer = TRUE WHERE waiting_on = 'consumer'")
    op.execute("UPDATE complaints SET waiting_on_merchant = TRUE WHERE waiting_on = 'merchant'")
    op.execute("ALTER TABLE complaints DROP COLUMN waiting_on")
    op.add_column(
        "users",
        sa.Column(
            "email_frequency",
            sa.Enum("immediate", "daily", "never", name="emailfrequency", native_enum=False, length=10),
            nullable=False,
            server_default="immediate",
        ),
    )
    op.add_column("users", sa.Column("email_muted", sa.JSON(), nullable=False, server_default="[]"))

    op.create_table(
        "settlement_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "refund",
                "replacement",
                "repair",
                "compensation",
                name="settlementkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("perform_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "declined",
                "superseded",
                "lapsed",
                name="offerstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_settlement_offers_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_settlement_offers_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_settlement_offers_proposed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_offers")),
    )
    op.create_index("ix_settlement_offers_complaint", "settlement_offers", ["complaint_id", "id"])

    op.create_table(
        "merchant_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_merchant_invitations_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["users.id"], name=op.f("fk_merchant_invitations_invited_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_merchant_invitations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_merchant_invitations_token_hash")),
    )
    op.create_index("ix_merchant_invitations_merchant_id", "merchant_invitations", ["merchant_id"])


def downgrade():
    op.drop_index("ix_merchant_invitations_merchant_id", table_name="merchant_invitations")
    op.drop_table("merchant_invitations")
    op.drop_index("ix_settlement_offers_complaint", table_name="settlement_offers")
    op.drop_table("settlement_offers")
    op.execute("ALTER TABLE users DROP COLUMN email_muted")
    op.execute("ALTER TABLE users DROP COLUMN email_frequency")
    op.add_column("complaints", sa.Column("waiting_on", sa.String(length=20), nullable=True))
    op.execute("UPDATE complaints SET waiting_on = 'consumer' WHERE waiting_on_consumer")
    op.execute(
        "UPDATE complaints SET waiting_on = 'merchant' WHERE waiting_on_merchant AND waiting_on IS NULL"
    )
    op.execute("ALTER TABLE complaints DROP COLUMN waiting_on_merchant")
    op.execute("ALTER TABLE complaints DROP COLUMN waiting_on_consumer")
