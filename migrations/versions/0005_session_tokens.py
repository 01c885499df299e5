"""session tokens: sign-out and password changes end every session of an account

Revision ID: 0005_session_tokens
Revises: 0004_desk_sla
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0005_session_tokens"
down_revision = "0004_desk_sla"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("session_token", sa.String(length=32), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update().where(users.c.id == user_id).values(session_token=secrets.token_hex(16))
        )
    # Left nullable at the database level: making it NOT NULL on SQLite means copying the users
    # table, which foreign keys from every complaint forbid. The app treats NULL as "no session".


def downgrade():
    op.drop_column("users", "session_token")
