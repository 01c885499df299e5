"""Templates look the request's translations up once, and a language chosen mid-request is obeyed."""

from __future__ import annotations

from flask import render_template_string, session
from flask_babel import force_locale, refresh

from complaints.web.i18n import request_translations


def test_a_template_speaks_the_request_language_and_follows_a_change_mid_request(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert render_template_string("{{ _('Complaint queues') }}") == "投诉工单队列"
        assert request_translations() is request_translations()  # looked up once
        with force_locale("en"):
            assert render_template_string("{{ _('Complaint queues') }}") == "Complaint queues"
        assert render_template_string("{{ _('Complaint queues') }}") == "投诉工单队列"


def test_a_language_saved_mid_request_is_used_after_refresh(app, world):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string("{{ _('Complaint queues') }}") == "Complaint queues"
        session["locale"] = "zh_CN"
        refresh()
        assert render_template_string("{{ _('Complaint queues') }}") == "投诉工单队列"


def test_the_sign_in_prompt_speaks_the_visitors_language(client):
    page = client.get("/desk/", headers={"Accept-Language": "zh-CN"}, follow_redirects=True)
    assert "请先登录再查看此页面。" in page.get_data(as_text=True)
    page = client.get("/desk/", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "Please sign in to see this page." in page.get_data(as_text=True)


def test_translated_strings_in_a_loop_are_escaped_formatted_and_do_not_copy_the_context(app):
    """The templates' gettext callables take the evaluation context, not the template context:
    called in a loop, a function taking the context makes Jinja copy every variable of the page
    into a new context first (complaints/web/i18n.py)."""
    from jinja2.utils import _PassArg

    for name in ("_", "gettext", "ngettext", "pgettext", "npgettext"):
        assert _PassArg.from_obj(app.jinja_env.globals[name]) is _PassArg.eval_context, name
    template = (
        "{% for ref in refs %}{{ _('Select %(reference)s', reference=ref) }};{% endfor %}"
        "{% for n in [1, 2] %}{{ ngettext('%(num)d file', '%(num)d files', n) }};{% endfor %}"
        "{% trans name=refs[0] %}Delete the saved filter {{ name }}{% endtrans %}"
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        shown = render_template_string(template, refs=["<b>C-1</b>", "C-2"])
    assert shown == (
        "Select &lt;b&gt;C-1&lt;/b&gt;;Select C-2;1 file;2 files;Delete the saved filter &lt;b&gt;C-1&lt;/b&gt;"
    )
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert render_template_string("{{ _('Complaint queues') }}") == "投诉工单队列"
