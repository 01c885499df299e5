"""the agreement a settled mediation produces (acceptances, performance) and why a mediation did not settle

Revision ID: 0015_mediation_agreements
Revises: 0017_scorecard_indexes (numbered before it, merged after it: both were written at once)
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_mediation_agreements"
down_revision = "0017_scorecard_indexes"
branch_labels = None
depends_on = None

_STATUSES = ("awaiting_acceptance", "binding", "performed", "unpaid")
_PAYERS = ("shop", "platform")
_NOT_SETTLED = ("party_refused", "unreachable", "no_agreement", "time_ran_out")
TABLE = "mediation_agreements"


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user(name: str) -> sa.Column:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey("users.id", name=f"fk_{TABLE}_{name}_users"), nullable=True
    )


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        _user("mediator_id"),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("payer", sa.Enum(*_PAYERS, name="payer", native_enum=False, length=16), nullable=False),
        sa.Column("perform_by", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*_STATUSES, name="agreementstatus", native_enum=False, length=24),
            nullable=False,
        ),
        _when("created_at", nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("binding_pdf_sha256", sa.String(length=64), nullable=True),
        _user("consumer_accepted_by_id"),
        _when("consumer_accepted_at"),
        _user("shop_accepted_by_id"),
        _when("shop_accepted_at"),
        _when("bound_at"),
        _user("paid_by_id"),
        _when("paid_at"),
        sa.Column("paid_note", sa.Text(), nullable=True),
        sa.Column("received", sa.Boolean(), nullable=True),
        _user("receipt_by_id"),
        _when("receipt_at"),
        sa.Column("receipt_note", sa.Text(), nullable=True),
        _when("performed_at"),
        _when("unpaid_at"),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f(f"fk_{TABLE}_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["mediation_organisations.id"],
            name=op.f(f"fk_{TABLE}_organisation_id_mediation_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("complaint_id", name=op.f(f"uq_{TABLE}_complaint_id")),
    )
    op.create_index("ix_mediation_agreements_status_perform_by", TABLE, ["status", "perform_by"])
    op.add_column(
        "complaints",
        sa.Column(
            "not_settled_reason",
            sa.Enum(*_NOT_SETTLED, name="notsettledreason", native_enum=False, length=20),
            nullable=True,
        ),
    )


def downgrade():
    op.drop_column("complaints", "not_settled_reason")
    op.drop_index("ix_mediation_agreements_status_perform_by", table_name=TABLE)
    op.drop_table(TABLE)
