"""on PostgreSQL, the running clocks' index in the queue's order: (due_at, id), not due_at alone

A page further down the due-ordered queue starts after a (due instant, clock id). Working-day
pledges fall due on the same few instants (a day's end), so hundreds of running clocks share a
due instant; with due_at alone PostgreSQL read and sorted every clock of that instant to find a
page's 26 (1.2 ms at a million complaints, 0.1 ms with the id in the index). SQLite keeps due_at
alone (models/sla.py says why).

Revision ID: 0024_clock_due_order
Revises: 0023_webhooks
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_clock_due_order"
down_revision = "0023_webhooks"
branch_labels = None
depends_on = None

RUNNING = "stopped_at IS NULL AND paused_at IS NULL AND breached_at IS NULL"


def _running_index(columns: list[str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_sla_clocks_due_running", table_name="sla_clocks")
    op.create_index(
        "ix_sla_clocks_due_running", "sla_clocks", columns, unique=False, postgresql_where=sa.text(RUNNING)
    )


def upgrade():
    _running_index(["due_at", "id"])


def downgrade():
    _running_index(["due_at"])
