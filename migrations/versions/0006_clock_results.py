"""clock results: a stopped clock records met, missed or void once, when it stops

Revision ID: 0006_clock_results
Revises: 0005_session_tokens
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_clock_results"
down_revision = "0005_session_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "sla_clocks",
        sa.Column("result", sa.Enum("met", "missed", "void", name="clockresult", native_enum=False, length=8)),
    )
    # Clocks stopped before this column existed: judged by the same rule as new ones. A clock
    # stopped after its due instant missed, whatever the sweep saw; one stopped in time on a
    # withdrawn complaint no longer applied; any other kept its promise.
    op.execute(
        """
        UPDATE sla_clocks SET result = CASE
            WHEN breached_at IS NOT NULL OR stopped_at > due_at THEN 'missed'
            WHEN EXISTS (SELECT 1 FROM complaints c WHERE c.id = sla_clocks.complaint_id
                         AND c.state = 'withdrawn' AND c.decided_at = sla_clocks.stopped_at) THEN 'void'
            ELSE 'met' END
        WHERE stopped_at IS NOT NULL
        """
    )


def downgrade():
    op.drop_column("sla_clocks", "result")
