"""Our html_params writes exactly what WTForms' own writes, and every widget uses it once installed."""

from __future__ import annotations

import itertools

import pytest
import wtforms.widgets
from markupsafe import Markup
from wtforms import BooleanField, Form, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import core

from complaints.web import html_attributes
from complaints.web.html_attributes import html_params

WTFORMS = html_attributes._WTFORMS_HTML_PARAMS

VALUES = [
    "plain",
    "",
    "quote \" and apostrophe '",
    "<script>&amp;</script>",
    "中文 全角",
    Markup("<b>already safe</b>"),
    Markup('say "hi"'),
    0,
    12,
    3.5,
    None,
    True,
    False,
]
KEYS = ["id", "name", "class_", "for_", "data_error_text", "aria_describedby", "aria_invalid", "value"]


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("key", KEYS)
def test_one_attribute_is_written_as_wtforms_writes_it(key, value):
    ours, theirs = html_params(**{key: value}), WTFORMS(**{key: value})
    assert ours == theirs
    assert isinstance(ours, Markup)


def test_many_attributes_are_sorted_and_joined_as_wtforms_does():
    for values in itertools.islice(itertools.permutations(VALUES, len(KEYS)), 500):
        attributes = dict(zip(KEYS, values, strict=True))
        assert html_params(**attributes) == WTFORMS(**attributes)
    assert html_params() == WTFORMS() == ""


def test_the_value_is_escaped_once_and_never_breaks_out_of_its_quotes():
    assert html_params(value='"><script>') == 'value="&#34;&gt;&lt;script&gt;"'
    assert html_params(title=Markup("&amp;")) == 'title="&amp;"'


class _Everything(Form):
    text = StringField("Name <b>", description="hint")
    area = TextAreaField("Body")
    check = BooleanField("Agree")
    choose = SelectField("Pick", choices=[SelectChoice("a", "A & B"), SelectChoice("b", '"quoted"')])
    send = SubmitField("Send")


def _rendered() -> list[str]:
    form = _Everything(data={"text": 'x "y" <z>', "area": "<p>", "check": True, "choose": "b"})
    fields = [form.text, form.area, form.check, form.choose, form.send]
    return [str(f(class_="c", aria_describedby="h", required=True, disabled=False)) for f in fields] + [
        str(f.label(class_="l")) for f in fields
    ]


def test_once_installed_every_widget_renders_what_it_rendered_before():
    installed = (
        core.html_params,
        wtforms.widgets.html_params,
        core.Input.html_params,
        core.Button.html_params,
    )
    try:
        core.html_params = wtforms.widgets.html_params = WTFORMS
        core.Input.html_params = core.Button.html_params = staticmethod(WTFORMS)
        before = _rendered()
        html_attributes.install()
        assert core.html_params is html_params and wtforms.widgets.html_params is html_params
        assert core.Input.html_params is html_params and core.Button.html_params is html_params
        assert _rendered() == before
    finally:
        core.html_params, wtforms.widgets.html_params = installed[0], installed[1]
        core.Input.html_params, core.Button.html_params = (
            staticmethod(installed[2]),
            staticmethod(installed[3]),
        )
