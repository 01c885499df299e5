"""Full-text search over complaints, built for Chinese text, exact by construction.

What a search finds: every word typed must be in the complaint's title or description. A word of
Chinese characters is found wherever it stands as a substring (one character, two, or more); a
word of letters or digits is found as a whole word, in any case. Punctuation and spaces in the
query separate words. tests/integration/test_search_exactness.py checks the index against a
plain substring search that follows these rules.

How: Chinese has no spaces between words, so a run of Chinese characters is indexed as its
overlapping pairs (快递员: 快递 递员, as Lucene's CJK analyzer does), and every character it
holds is indexed once more on its own, so one character finds what contains it. A query word of
two or more characters is matched as the phrase of its pairs; pairs of two runs that punctuation
or another word separates never stand side by side in the index (a break term lies between), so a
phrase never matches across them. On SQLite the terms go into an FTS5 table and the query uses
its index; on PostgreSQL a GIN index over the same terms.
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
# Between two runs, so no phrase spans them; a word typed that starts with it is escaped (below),
# so no query term is ever the break itself.
BREAK = "zqxbrk"


def _word(token: str) -> str:
    word = token.lower()
    return BREAK + word if word.startswith(BREAK) else word


def _pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def document_terms(text_: str) -> list[str]:
    """Index terms of `text_`: each run's pairs or word, runs separated by BREAK, then each
    Chinese character once."""
    terms: list[str] = []
    characters: dict[str, None] = {}
    for token in _TOKEN.findall(text_ or ""):
        if terms:
            terms.append(BREAK)
        if _IS_CJK.match(token):
            terms.extend(_pairs(token))
            characters.update(dict.fromkeys(token))
        else:
            terms.append(_word(token))
    if characters:
        terms.append(BREAK)
        terms.extend(characters)
    return terms


def query_terms(query: str) -> list[list[str]]:
    """The query as phrases of index terms, one phrase per word typed: a single Chinese
    character as itself, a longer run as its pairs, a word of letters as itself."""
    phrases = []
    for token in _TOKEN.findall(query or ""):
        if _IS_CJK.match(token):
            phrases.append([token] if len(token) == 1 else _pairs(token))
        else:
            phrases.append([_word(token)])
    return phrases


def fts_match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for `query` (every word must match), or None if it has none."""
    phrases = ['"' + " ".join(terms) + '"' for terms in query_terms(query) if terms]
    return " AND ".join(phrases) or None


def document_text(title: str, description: str) -> str:
    """What the index holds for a complaint with this title and description."""
    return " ".join(document_terms(f"{title}\n{description}"))


def index_complaint(complaint: Complaint) -> None:
    """Put a new complaint's words in the search index (a complaint's text never changes)."""
    body = document_text(complaint.title, complaint.description)
    db.session.execute(
        text(f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (:id, :body)"),
        {"id": complaint.id, "body": body},
    )


def pg_tsquery(query: str) -> str | None:
    """A PostgreSQL to_tsquery expression: each word a phrase of its terms, all required."""
    phrases = []
    for terms in query_terms(query):
        if terms:
            phrases.append("(" + " <-> ".join(f"'{term}'" for term in terms) + ")")
    return " & ".join(phrases) or None


def ranked_matches(query: str, limit: int, id_range: tuple[int, int] | None = None):
    """A SELECT of (id, score) of the newest `limit` complaints matching `query` (lower score =
    better match), within `id_range` (inclusive) if given. None for a query with no words.

    Uses the full-text index on either database, read newest first and stopping after `limit`
    matches, so a common word costs no more than a rare one. Complaint ids follow the order of
    filing, so an id range is a range of filing dates.
    """
    low, high = id_range or (0, 2**63 - 1)
    if db.session.get_bind().dialect.name == "sqlite":
        expression = fts_match_expression(query)
        if expression is None:
            return None
        sql = (
            f"SELECT rowid AS id, bm25({FTS_TABLE}) AS score FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH :q AND rowid BETWEEN :low AND :high ORDER BY rowid DESC LIMIT :n"
        )
    else:
        expression = pg_tsquery(query)
        if expression is None:
            return None
        sql = (
            f"SELECT rowid AS id, -ts_rank(terms, to_tsquery('simple', :q)) AS score "
            f"FROM {FTS_TABLE} WHERE terms @@ to_tsquery('simple', :q) "
            "AND rowid BETWEEN :low AND :high ORDER BY rowid DESC LIMIT :n"
        )
    statement = text(sql).bindparams(q=expression, n=limit, low=low, high=high)
    return statement.columns(id=Integer, score=Float).subquery("matches")


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
