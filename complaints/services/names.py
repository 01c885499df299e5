"""Names an admin enters in Chinese and in English: pledge policies, working calendars, mediation
organisations, and the notes of policy versions and calendar days.

The Chinese form is the one stored in `name` / `note` and is always required (the pledge is
published in Chinese); a name's English form is required too, a note's is optional (pages in
English then show the Chinese). Which form a viewer reads is decided by
models.types.EnglishForms.in_locale.
"""

from __future__ import annotations

from dataclasses import dataclass

from complaints.services.administration import InvalidField
from complaints.workflow import N_


@dataclass(frozen=True)
class Bilingual:
    """A name or note as typed, trimmed: the Chinese form and the English one ("" when none)."""

    chinese: str
    english: str


def clean_name(
    problems: list[InvalidField],
    chinese: str | None,
    english: str | None,
    *,
    max_length: int,
    field: str = "name",
) -> Bilingual:
    """Both forms of a name, each required and at most `max_length` characters.

    problems: where a problem is appended, named as the admin form's fields (`field` for the
    Chinese form, `field`_en for the English one).
    """
    names = Bilingual((chinese or "").strip(), (english or "").strip())
    for name, text in ((field, names.chinese), (f"{field}_en", names.english)):
        if not text:
            problems.append(InvalidField(name, N_("Fill in this field.")))
        elif len(text) > max_length:
            problems.append(InvalidField(name, N_("At most %(max)s characters."), max=max_length))
    return names


def clean_note(
    problems: list[InvalidField],
    chinese: str | None,
    english: str | None,
    *,
    required: str | None = None,
    max_length: int = 200,
    field: str = "note",
) -> Bilingual:
    """Both forms of a note: the Chinese one required if an English one is given (Chinese pages
    read it), or always when `required` (then the message saying so); the English one optional.

    problems: where a problem is appended, named as the admin form's fields.
    """
    notes = Bilingual((chinese or "").strip(), (english or "").strip())
    if not notes.chinese and required:
        problems.append(InvalidField(field, required))
    elif not notes.chinese and notes.english:
        problems.append(
            InvalidField(field, N_("Write the note in Chinese too: pages in Chinese show that one."))
        )
    for name, text in ((field, notes.chinese), (f"{field}_en", notes.english)):
        if len(text) > max_length:
            problems.append(InvalidField(name, N_("At most %(max)s characters."), max=max_length))
    return notes
