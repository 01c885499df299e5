"""desk SLA views: indexes of warned and breached running clocks

Revision ID: 0004_desk_sla
Revises: 0003_queue_indexes
Create Date: 2026-11-26 09:00:00.000000

The desk's at-risk and breached views read clocks past their warning point (not yet breached)
and breached clocks not yet stopped, nearest due first. Both sets are bounded by the open
complaints, so these partial indexes stay small whatever the history holds.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004_desk_sla"
down_revision = "0003_queue_indexes"
branch_labels = None
depends_on = None

WARNED_RUNNING = "stopped_at IS NULL AND paused_at IS NULL AND breached_at IS NULL AND warned_at IS NOT NULL"
BREACHED_OPEN = "stopped_at IS NULL AND breached_at IS NOT NULL"


def upgrade():
    with op.batch_alter_table("sla_clocks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sla_clocks_due_warned",
            ["due_at", "id"],
            unique=False,
            sqlite_where=sa.text(WARNED_RUNNING),
            postgresql_where=sa.text(WARNED_RUNNING),
        )
        batch_op.create_index(
            "ix_sla_clocks_due_breached",
            ["due_at", "id"],
            unique=False,
            sqlite_where=sa.text(BREACHED_OPEN),
            postgresql_where=sa.text(BREACHED_OPEN),
        )


def downgrade():
    with op.batch_alter_table("sla_clocks", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_sla_clocks_due_breached",
            sqlite_where=sa.text(BREACHED_OPEN),
            postgresql_where=sa.text(BREACHED_OPEN),
        )
        batch_op.drop_index(
            "ix_sla_clocks_due_warned",
            sqlite_where=sa.text(WARNED_RUNNING),
            postgresql_where=sa.text(WARNED_RUNNING),
        )
