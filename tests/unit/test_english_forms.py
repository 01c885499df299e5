"""Which form of a name an admin entered a viewer reads (models.types.EnglishForms.in_locale), and
how both forms are checked before they are saved (services.names)."""

from __future__ import annotations

import pytest

from complaints.models import CalendarDay, MediationOrganisation, SlaPolicy, SlaPolicyVersion, WorkCalendar
from complaints.models.types import chinese_or_english
from complaints.services.names import clean_name, clean_note

ORGANISATION = MediationOrganisation(
    name="上海市消费纠纷人民调解委员会", name_en="Shanghai Mediation Committee"
)


@pytest.mark.parametrize("locale", ["zh_CN", "zh_Hans_CN", "zh"])
def test_a_chinese_viewer_reads_the_chinese_name(locale):
    assert ORGANISATION.in_locale(locale) == "上海市消费纠纷人民调解委员会"


@pytest.mark.parametrize("locale", ["en", "en_GB", "fr"])
def test_any_other_viewer_reads_the_english_name(locale):
    assert ORGANISATION.in_locale(locale) == "Shanghai Mediation Committee"


def test_an_english_viewer_reads_the_chinese_name_when_there_is_no_english_one():
    assert SlaPolicy(name="服务承诺", name_en="").in_locale("en") == "服务承诺"
    assert WorkCalendar(name="全天候", name_en=None).in_locale("en") == "全天候"


def test_a_note_is_read_in_the_viewers_language_and_falls_back_to_the_other():
    holiday = CalendarDay(note="国庆节", note_en="National Day")
    assert (holiday.in_locale("zh_CN", "note"), holiday.in_locale("en", "note")) == ("国庆节", "National Day")
    english_only = SlaPolicyVersion(note="", note_en="First version")
    assert english_only.in_locale("zh_CN", "note") == "First version"
    assert SlaPolicyVersion(note="", note_en="").in_locale("en", "note") == ""


def test_a_locale_object_is_read_by_its_name():
    from babel import Locale

    assert ORGANISATION.in_locale(Locale.parse("zh_Hans_CN")) == "上海市消费纠纷人民调解委员会"


def test_names_copied_into_an_event_follow_the_same_rule():
    assert chinese_or_english("en", "上海", "Shanghai") == "Shanghai"
    assert chinese_or_english("zh_CN", "上海", "Shanghai") == "上海"
    assert chinese_or_english("en", "上海", None) == "上海"  # an event from before names had two forms


def test_both_forms_of_a_name_are_required_and_trimmed():
    problems = []
    named = clean_name(problems, "  服务承诺 ", " Service pledge ", max_length=120)
    assert (named.chinese, named.english, problems) == ("服务承诺", "Service pledge", [])
    clean_name(problems, " ", "", max_length=120)
    assert [p.field for p in problems] == ["name", "name_en"]


def test_a_name_longer_than_its_column_is_refused_beside_its_field():
    problems = []
    clean_name(problems, "长" * 101, "Calendar", max_length=100)
    assert [(p.field, p.params) for p in problems] == [("name", {"max": 100})]


def test_a_note_may_be_empty_but_not_in_english_alone():
    problems = []
    assert clean_note(problems, "", "", max_length=200).chinese == ""
    assert problems == []
    clean_note(problems, "", "National Day", max_length=200)
    assert [p.field for p in problems] == ["note"]


def test_a_required_note_says_why_it_is_missing():
    problems = []
    clean_note(problems, "", "", required="Say what changed.", max_length=200)
    assert [(p.field, p.template) for p in problems] == [("note", "Say what changed.")]
