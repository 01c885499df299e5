"""referral to mediation with both parties' consent: the categories and capacity of mediation
organisations, referrals and each party's consent, scheduled mediation sessions

Revision ID: 0018_mediation_referrals
Revises: 0015_mediation_agreements
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_mediation_referrals"
down_revision = "0015_mediation_agreements"
branch_labels = None
depends_on = None

REFERRALS = "mediation_referrals"
CONSENTS = "mediation_referral_consents"
ORG_CATEGORIES = "mediation_organisation_categories"
_STATUSES = ("awaiting_consent", "awaiting_organisation", "accepted", "declined", "returned")


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


# The agreement's decline and its payment from the guarantee deposit, and a session's documents:
# (table, column, type, referenced table).
ADDED_COLUMNS = (
    ("mediation_agreements", "declined_by_id", "INTEGER", "users"),
    ("mediation_agreements", "declined_at", "DATETIME", None),
    ("mediation_agreements", "decline_reason", "TEXT", None),
    ("mediation_agreements", "deposit_entry_id", "INTEGER", "deposit_entries"),
    ("attachments", "session_id", "INTEGER", "mediation_sessions"),
)


def _add_columns() -> None:
    """Plain ADD COLUMNs, each nullable with its foreign key in place (as 0013 does): SQLite
    takes the REFERENCES clause in ALTER TABLE; PostgreSQL gets the constraint after."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, kind, target in ADDED_COLUMNS:
        fk = f"fk_{table}_{column}_{target}"
        if sqlite:
            references = f" CONSTRAINT {fk} REFERENCES {target} (id)" if target else ""
            op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}{references}")
            continue
        types = {"INTEGER": sa.Integer(), "DATETIME": sa.DateTime(timezone=True), "TEXT": sa.Text()}
        op.add_column(table, sa.Column(column, types[kind], nullable=True))
        if target:
            op.create_foreign_key(fk, table, target, [column], ["id"])


def upgrade():
    _add_columns()
    # Plain ALTER TABLE (SQLite drops columns itself since 3.35): a batch copy of a table that
    # other tables reference would trip their foreign keys.
    op.add_column(
        "mediation_organisations", sa.Column("capacity", sa.Integer(), server_default="20", nullable=False)
    )
    op.add_column(
        "mediation_sessions", sa.Column("status", sa.String(length=10), server_default="held", nullable=False)
    )
    op.create_table(
        ORG_CATEGORIES,
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        _fk(ORG_CATEGORIES, "organisation_id", "mediation_organisations"),
        _fk(ORG_CATEGORIES, "category_id", "categories"),
        sa.PrimaryKeyConstraint("organisation_id", "category_id", name=op.f(f"pk_{ORG_CATEGORIES}")),
    )
    op.create_table(
        REFERRALS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("proposed_organisation_id", sa.Integer(), nullable=True),
        sa.Column("referred_by_id", sa.Integer(), nullable=True),
        _when("referred_at", nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*_STATUSES, name="referralstatus", native_enum=False, length=24),
            nullable=False,
        ),
        _when("consent_due_at", nullable=False),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        _when("ended_at"),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        _when("accepted_at"),
        _fk(REFERRALS, "complaint_id", "complaints"),
        _fk(REFERRALS, "organisation_id", "mediation_organisations"),
        _fk(REFERRALS, "proposed_organisation_id", "mediation_organisations"),
        _fk(REFERRALS, "referred_by_id", "users"),
        _fk(REFERRALS, "answered_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{REFERRALS}")),
    )
    op.create_index(op.f(f"ix_{REFERRALS}_complaint_id"), REFERRALS, ["complaint_id"])
    op.create_index(f"ix_{REFERRALS}_status_consent_due_at", REFERRALS, ["status", "consent_due_at"])
    op.create_table(
        CONSENTS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column(
            "party",
            sa.Enum("consumer", "shop", name="consentparty", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column(
            "answer",
            sa.Enum("consented", "declined", "lapsed", name="consentanswer", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        _when("answered_at", nullable=False),
        _fk(CONSENTS, "referral_id", REFERRALS),
        _fk(CONSENTS, "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{CONSENTS}")),
        sa.UniqueConstraint("referral_id", "party", name=op.f(f"uq_{CONSENTS}_referral_id")),
    )


def downgrade():
    op.drop_table(CONSENTS)
    op.drop_index(f"ix_{REFERRALS}_status_consent_due_at", table_name=REFERRALS)
    op.drop_index(op.f(f"ix_{REFERRALS}_complaint_id"), table_name=REFERRALS)
    op.drop_table(REFERRALS)
    op.drop_table(ORG_CATEGORIES)
    op.drop_column("mediation_sessions", "status")
    op.drop_column("mediation_organisations", "capacity")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, _kind, target in reversed(ADDED_COLUMNS):
        if target and not sqlite:
            op.drop_constraint(f"fk_{table}_{column}_{target}", table, "foreignkey")
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
