"""Chinese text uses Chinese punctuation: the zh_Hans_CN catalogue has no ASCII comma, colon,
semicolon, question or exclamation mark, or parenthesis right beside a Chinese character
("退款,请" / "原因:" / "(可选)"). Placeholders (%(name)s) and URLs are left as they are."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "complaints/translations/zh_Hans_CN/LC_MESSAGES/messages.po"

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
ASCII_MARKS = ",:;?!()"
GLUED = re.compile(rf"[{CJK}][{re.escape(ASCII_MARKS)}]|[{re.escape(ASCII_MARKS)}][{CJK}]")
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdifr]|%[sdif%]|\{[A-Za-z_]\w*\}")
URL = re.compile(r"https?://\S+")


def glued_ascii_punctuation(text: str) -> list[str]:
    """The places in `text` where an ASCII mark touches a Chinese character (with some context)."""
    plain = URL.sub(" ", PLACEHOLDER.sub("X", text))
    return [plain[max(0, m.start() - 4) : m.end() + 4] for m in GLUED.finditer(plain)]


def translations() -> list[tuple[str, str]]:
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    pairs = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(ids[0], s) for s in strings if s]
    return pairs


def test_the_check_finds_glued_marks_and_leaves_placeholders_and_urls_alone():
    assert glued_ascii_punctuation("原因:%(reason)s") == ["原因:X"]
    assert glued_ascii_punctuation("金额(可选)")
    assert glued_ascii_punctuation("已退款,请查收")
    assert glued_ascii_punctuation("真的吗?")
    assert glued_ascii_punctuation("原因：%(reason)s（可选）") == []
    assert glued_ascii_punctuation("见 https://example.com/a?b=1,2 页面") == []
    assert glued_ascii_punctuation("上海（UTC+8）") == []
    assert glued_ascii_punctuation("%(city)s（%(offset)s）") == []


def test_chinese_translations_use_chinese_punctuation():
    offenders = [
        (msgid, glued)
        for msgid, text in translations()
        if re.search(f"[{CJK}]", text) and (glued := glued_ascii_punctuation(text))
    ]
    assert offenders == [], "\n".join(f"{msgid!r}: {glued}" for msgid, glued in offenders)
