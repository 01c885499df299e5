"""the public pledge scorecard: indexes of ended windows, decisions and ratings

Revision ID: 0017_scorecard_indexes
Revises: 0014_deposit_ledger
Create Date: 2026-11-28 16:00:00.000000

The scorecard counts, by day, the pledged windows that ended (kind, pledge and result), the
complaints decided (with their state, outcome, filing instant and pledge) and the ratings given,
each from one covering index read over the days it shows (services/scorecard_counts.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_scorecard_indexes"
down_revision = "0014_deposit_ledger"
branch_labels = None
depends_on = None

INDEXES = (
    (
        "ix_sla_clocks_stopped",
        "sla_clocks",
        ["stopped_at", "kind", "target_id", "result"],
        "stopped_at IS NOT NULL",
    ),
    (
        "ix_complaints_decided",
        "complaints",
        ["decided_at", "state", "outcome", "created_at", "policy_version_id"],
        "decided_at IS NOT NULL",
    ),
    ("ix_complaints_rated", "complaints", ["closed_at", "rating"], "rating IS NOT NULL"),
)


def upgrade():
    for name, table, columns, where in INDEXES:
        op.create_index(
            name, table, columns, unique=False, sqlite_where=sa.text(where), postgresql_where=sa.text(where)
        )


def downgrade():
    for name, table, _columns, _where in reversed(INDEXES):
        op.drop_index(name, table_name=table)
