"""The search finds exactly what a plain substring search finds, on SQLite and on PostgreSQL.

A seeded set of complaints written from a small alphabet (so that words overlap and recur, and
punctuation splits them) is searched for single characters, 2-, 3- and 4-character words, words
split by punctuation and mixed Chinese/Latin queries; every answer is compared with the rules of
services/search.py applied by brute force to the stored text.
"""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import Complaint
from complaints.services import staff_search
from complaints.services.search import _IS_CJK, _TOKEN, ranked_matches

ALPHABET = "退款商家不说申请拒绝了货物质量问题"
BREAKS = ["，", "。", "！", " ", "、", "\n"]
LATIN = ["iPhone", "NFC", "ok", "USB3"]
COMPLAINTS = 80


def _text(rng: random.Random, length: int) -> str:
    out = []
    while len(out) < length:
        roll = rng.random()
        if roll < 0.08:
            out.append(rng.choice(BREAKS))
        elif roll < 0.12:
            out.append(rng.choice(LATIN))
        else:
            out.append(rng.choice(ALPHABET))
    return "".join(out)


@pytest.fixture
def corpus(world):
    rng = random.Random(20261128)
    for number in range(COMPLAINTS):
        world.file(title=_text(rng, rng.randint(3, 12)), description=_text(rng, rng.randint(10, 60)))
        if number == 0:  # the case found from outside, word for word
            world.file(title="商家说不退，退款申请被拒绝了", description="请平台处理")
    return list(db.session.execute(select(Complaint.id, Complaint.title, Complaint.description)))


def expected(query: str, corpus) -> set[int]:
    """The rules of services/search.py, by brute force: each word typed must appear; Chinese as a
    substring of the title or the description, letters and digits as a whole word in any case."""
    words = _TOKEN.findall(query)
    if not words:
        return set()

    def has(word: str, title: str, description: str) -> bool:
        if _IS_CJK.match(word):
            return word in title or word in description
        latin = {t.lower() for t in _TOKEN.findall(f"{title}\n{description}") if not _IS_CJK.match(t)}
        return word.lower() in latin

    return {row.id for row in corpus if all(has(w, row.title, row.description) for w in words)}


def found(query: str) -> set[int]:
    matches = ranked_matches(query, limit=100_000)
    return set() if matches is None else set(db.session.scalars(select(matches.c.id)))


def _grams(corpus, size: int, rng: random.Random, count: int) -> list[str]:
    runs = [run for row in corpus for run in re.findall(f"[{ALPHABET}]{{{size},}}", row.description)]
    present = {run[i : i + size] for run in runs for i in range(len(run) - size + 1)}
    absent = {"".join(rng.choice(ALPHABET) for _ in range(size)) for _ in range(count)}
    return sorted(present)[:count] + sorted(absent)


def test_every_single_character_finds_every_complaint_that_contains_it(corpus):
    for character in ALPHABET:
        assert found(character) == expected(character, corpus), character


def test_words_of_two_to_four_characters_find_exactly_the_complaints_that_contain_them(corpus):
    for size in (2, 3, 4):
        for word in _grams(corpus, size, random.Random(size), 40):
            assert found(word) == expected(word, corpus), word


MIXED = [
    "不退款",
    "不退",
    "退款，申请",
    "退款。拒绝",
    "iPhone退款",
    "nfc 退",
    "USB3",
    "usb",
    "OK 问题",
    "，。",
]


def test_punctuation_and_mixed_queries_follow_the_rules(corpus):
    for query in MIXED:
        assert found(query) == expected(query, corpus), query


def test_a_phrase_never_matches_across_punctuation(corpus):
    refused = [row.id for row in corpus if row.title == "商家说不退，退款申请被拒绝了"]
    assert refused and not set(refused) & found("不退款")
    assert set(refused) <= found("退") and set(refused) <= found("不退")


def test_the_count_shown_is_exact_when_everything_was_read(app, world, corpus):
    agent = world.user("agent")
    for query in ("退", "退款", "不退款"):
        results = staff_search.search(agent, query)
        want = len(expected(query, corpus))
        assert (results.total, results.certainty) == (min(want, staff_search.SHOWN_LIMIT), staff_search.EXACT)


def test_more_matches_than_are_shown_is_said_so(app, world, corpus, monkeypatch):
    monkeypatch.setattr(staff_search, "SHOWN_LIMIT", 10)
    results = staff_search.search(world.user("agent"), "退")
    assert len(expected("退", corpus)) > 10
    assert (results.total, results.certainty) == (10, staff_search.MORE_THAN)


def test_a_count_from_part_of_the_matches_says_it_is_a_lower_bound(app, world, corpus, monkeypatch):
    monkeypatch.setattr(staff_search, "SCAN_LIMIT", 20)
    results = staff_search.search(
        world.user("agent"), "退", filters=staff_search.SearchFilters(merchant_id=world.merchant_ids[1])
    )
    assert results.certainty == staff_search.AT_LEAST


def test_narrowing_by_state_keeps_exactly_the_matches_in_that_state(app, world, corpus):
    from complaints.workflow import State

    results = staff_search.search(
        world.user("agent"), "退款", filters=staff_search.SearchFilters(state=State.VERIFIED)
    )
    assert (results.total, results.certainty) == (0, staff_search.EXACT)
