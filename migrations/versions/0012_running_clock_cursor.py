"""running clocks indexed by (due_at, id): the queue's cursor, not due_at alone

Many clocks fall due at one instant (working days end at 18:00). With the partial index of
running clocks on due_at alone, PostgreSQL read and sorted all of an instant's clocks to start a
page inside it; a second (due_at, id) index beside it was not chosen by the planner, so this one
replaces it. SQLite's indexes carried the rowid already; there the change is only in the name's
columns.

Revision ID: 0012_running_clock_cursor
Revises: 0011_pending_uploads
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_running_clock_cursor"
down_revision = "0011_pending_uploads"
branch_labels = None
depends_on = None

_RUNNING = "stopped_at IS NULL AND paused_at IS NULL AND breached_at IS NULL"


def _recreate(columns):
    op.drop_index("ix_sla_clocks_due_running", table_name="sla_clocks")
    op.create_index(
        "ix_sla_clocks_due_running",
        "sla_clocks",
        columns,
        sqlite_where=sa.text(_RUNNING),
        postgresql_where=sa.text(_RUNNING),
    )


def upgrade():
    _recreate(["due_at", "id"])


def downgrade():
    _recreate(["due_at"])
