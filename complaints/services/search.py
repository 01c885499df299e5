"""Full-text search over complaints, built for Chinese text.

Chinese has no spaces between words, so text is split into overlapping character pairs (as
Lucene's CJK analyzer does): 快递员 becomes 快递 递员. A query is split the same way and matched
as a phrase, so a two-character word such as 退款 finds every complaint containing it. Latin
words are kept whole and lower-cased. On SQLite the pairs go into an FTS5 table; the query uses
its index and ranks by bm25.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape
from sqlalchemy import Float, Integer, text

from complaints.extensions import db
from complaints.models import Complaint

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_IS_CJK = re.compile(rf"[{_CJK}]")

FTS_TABLE = "complaint_fts"


def segment(text_: str) -> list[str]:
    """Index terms of `text_`: CJK runs as overlapping pairs, other words lower-cased."""
    terms: list[str] = []
    for token in _TOKEN.findall(text_ or ""):
        if _IS_CJK.match(token):
            if len(token) == 1:
                terms.append(token)
            else:
                terms.extend(token[i : i + 2] for i in range(len(token) - 1))
        else:
            terms.append(token.lower())
    return terms


def query_terms(query: str) -> list[list[str]]:
    """The query as phrases of index terms, one phrase per word typed."""
    return [segment(token) for token in _TOKEN.findall(query or "")]


def fts_match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for `query` (every word must match), or None if it has none."""
    phrases = []
    for terms in query_terms(query):
        if terms:
            phrases.append('"' + " ".join(terms) + '"')
    return " AND ".join(phrases) or None


def document_text(complaint: Complaint) -> str:
    return " ".join(segment(f"{complaint.title} {complaint.description}"))


def index_complaint(complaint: Complaint) -> None:
    """Put `complaint`'s words in the search index (replacing what was there)."""
    body = document_text(complaint)
    db.session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": complaint.id})
    db.session.execute(
        text(f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (:id, :body)"),
        {"id": complaint.id, "body": body},
    )


def pg_tsquery(query: str) -> str | None:
    """A PostgreSQL to_tsquery expression: each word a phrase of adjacent pairs, all required."""
    phrases = []
    for terms in query_terms(query):
        if terms:
            phrases.append("(" + " <-> ".join(f"'{term}'" for term in terms) + ")")
    return " & ".join(phrases) or None


# A word found in a third of a million complaints cannot be ranked in full on every search;
# the newest matches are what an agent looks for, so only they are ranked (and counted).
MAX_RANKED = 500


def ranked_matches(query: str, limit: int = MAX_RANKED):
    """A SELECT of (id, score) for the newest `limit` complaints matching `query`, lower score =
    better match. None for a query with no words. Uses the full-text index on either database:
    the index is read newest first and stops after `limit` matches, so a common word costs no
    more than a rare one.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        expression = fts_match_expression(query)
        if expression is None:
            return None
        sql = (
            f"SELECT rowid AS id, bm25({FTS_TABLE}) AS score FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH :q ORDER BY rowid DESC LIMIT :n"
        )
    else:
        expression = pg_tsquery(query)
        if expression is None:
            return None
        sql = (
            f"SELECT rowid AS id, -ts_rank(to_tsvector('simple', body), to_tsquery('simple', :q)) AS score "
            f"FROM {FTS_TABLE} WHERE to_tsvector('simple', body) @@ to_tsquery('simple', :q) "
            "ORDER BY rowid DESC LIMIT :n"
        )
    return text(sql).bindparams(q=expression, n=limit).columns(id=Integer, score=Float).subquery("matches")


def highlight(text_: str, query: str) -> Markup:
    """`text_` escaped, with each word of `query` wrapped in <mark>."""
    words = sorted({w for w in _TOKEN.findall(query or "") if w}, key=len, reverse=True)
    if not words:
        return escape(text_)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text_):
        out.append(escape(text_[last : match.start()]))
        out.append(Markup("<mark>") + escape(match.group(0)) + Markup("</mark>"))
        last = match.end()
    out.append(escape(text_[last:]))
    return Markup("").join(out)


def snippet(text_: str, query: str, width: int = 80) -> Markup:
    """A short, highlighted excerpt of `text_` around the first match of `query`."""
    words = [w for w in _TOKEN.findall(query or "") if w]
    start = 0
    lowered = text_.lower()
    for word in words:
        position = lowered.find(word.lower())
        if position >= 0:
            start = max(0, position - width // 3)
            break
    excerpt = text_[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text_) else ""
    return Markup(prefix) + highlight(excerpt, query) + Markup(suffix)
