"""search index v2: single Chinese characters indexed, no pair across punctuation

Revision ID: 0007_search_index_v2
Revises: 0006_clock_results

Every complaint's index entry is rebuilt with services.search.document_text (the same function the
application indexes new complaints with), in batches, on SQLite and PostgreSQL alike.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_search_index_v2"
down_revision = "0006_clock_results"
branch_labels = None
depends_on = None

BATCH = 5000


def _rebuild(document_text) -> None:
    connection = op.get_bind()
    complaints = sa.table(
        "complaints", sa.column("id", sa.Integer), sa.column("title", sa.String), sa.column("description", sa.Text)
    )
    after = 0
    while True:
        rows = connection.execute(
            sa.select(complaints.c.id, complaints.c.title, complaints.c.description)
            .where(complaints.c.id > after)
            .order_by(complaints.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            sa.text("UPDATE complaint_fts SET body = :body WHERE rowid = :id"),
            [{"id": row.id, "body": document_text(row.title, row.description)} for row in rows],
        )
        after = rows[-1].id


def upgrade():
    from complaints.services.search import document_text

    _rebuild(document_text)


def downgrade():
    # The previous index: overlapping pairs of each run, a lone character as itself, no breaks.
    import re

    from complaints.services.search import _IS_CJK, _TOKEN

    def previous(title: str, description: str) -> str:
        terms = []
        for token in _TOKEN.findall(f"{title} {description}"):
            if _IS_CJK.match(token):
                terms.extend([token] if len(token) == 1 else [token[i : i + 2] for i in range(len(token) - 1)])
            else:
                terms.append(token.lower())
        return " ".join(terms)

    _rebuild(previous)
