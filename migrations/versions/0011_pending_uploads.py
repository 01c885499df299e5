"""pending uploads: evidence kept for a filing that was refused, until it is filed or expires

Revision ID: 0011_pending_uploads
Revises: 0010_merchant_party
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_pending_uploads"
down_revision = "0010_merchant_party"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pending_uploads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_uploads")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pending_uploads_token_hash")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_pending_uploads_stored_name")),
    )
    op.create_index("ix_pending_uploads_user_id", "pending_uploads", ["user_id"])
    op.create_index("ix_pending_uploads_expires_at", "pending_uploads", ["expires_at"])


def downgrade():
    op.drop_index("ix_pending_uploads_expires_at", table_name="pending_uploads")
    op.drop_index("ix_pending_uploads_user_id", table_name="pending_uploads")
    op.drop_table("pending_uploads")
