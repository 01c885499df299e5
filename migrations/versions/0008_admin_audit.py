"""admin audit log: who changed accounts, the pledge, calendars and reference lists, and when

Revision ID: 0008_admin_audit
Revises: 0007_search_index_v2
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_admin_audit"
down_revision = "0007_search_index_v2"
branch_labels = None
depends_on = None

ACTIONS = (
    "user_activated",
    "user_deactivated",
    "staff_created",
    "policy_created",
    "policy_version_published",
    "policy_activated",
    "policy_deactivated",
    "calendar_updated",
    "calendar_day_added",
    "calendar_day_removed",
    "merchant_created",
    "merchant_updated",
    "category_created",
    "category_updated",
    "organisation_created",
    "organisation_updated",
)


def upgrade():
    op.create_table(
        "admin_audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "action", sa.Enum(*ACTIONS, name="adminaction", native_enum=False, length=32), nullable=False
        ),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_admin_audit_entries_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_audit_entries")),
    )
    with op.batch_alter_table("admin_audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_admin_audit_entries_created", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_admin_audit_entries_subject", ["subject_type", "subject_id"], unique=False)


def downgrade():
    with op.batch_alter_table("admin_audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_admin_audit_entries_subject")
        batch_op.drop_index("ix_admin_audit_entries_created")
    op.drop_table("admin_audit_entries")
