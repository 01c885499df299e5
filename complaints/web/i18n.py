"""The viewer's language and time zone."""

from __future__ import annotations

import flask_babel
from flask import current_app, g, request, session
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from complaints.extensions import babel


def select_locale() -> str:
    """The user's saved choice, then this session's choice, then Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"]) if request else None
    if best in ("zh", "zh_CN"):
        return "zh_CN"
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def request_translations():
    """The translations of the request's language, looked up once per language per request.

    Flask-Babel finds them again for every string (~10 µs: proxies, the locale, its identifier);
    a queue page has four hundred strings. The answer is kept beside Flask-Babel's own state for
    the request (g._flask_babel) and tied to its locale object, so a language chosen mid-request
    (flask_babel.refresh, force_locale) gets its own translations.
    """
    try:
        state = g.get("_flask_babel")
    except RuntimeError:  # outside an application context: Flask-Babel's own answer
        return flask_babel.get_translations()
    locale = getattr(state, "babel_locale", None)
    kept = getattr(state, "pledgedesk_translations", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    translations = flask_babel.get_translations()
    state = g.get("_flask_babel")
    if state is not None:
        state.pledgedesk_translations = (getattr(state, "babel_locale", None), translations)
    return translations


def gettext(string: str, **variables) -> str:
    """flask_babel.gettext, with the translations found once per request."""
    text = request_translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """flask_babel.lazy_gettext, translated by gettext above when shown."""
    return LazyString(gettext, string, **variables)


def register(app) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # newstyle: `{% trans %}` and `_()` escape and format the way the templates are written for
    # (Flask-Babel added Jinja's i18n extension; the callables are ours, below).
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
    )


# Jinja's own newstyle callables take the whole template context (pass_context), and a function
# taking the context, called inside a loop, copies every variable of the page into a new context
# first: a queue page spent a fifth of its time there. These need only the evaluation context
# (is the output escaped?), which Jinja passes as it is.


def _shown(eval_ctx, text: str, variables: dict) -> str:
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables  # always a format string, as in Jinja's newstyle gettext


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables) -> str:
    return _shown(eval_ctx, request_translations().ugettext(string), variables)


@pass_eval_context
def _template_ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _shown(eval_ctx, request_translations().ungettext(singular, plural, num), variables)


@pass_eval_context
def _template_pgettext(eval_ctx, context: str, string: str, **variables) -> str:
    variables.setdefault("context", context)
    return _shown(eval_ctx, request_translations().upgettext(context, string), variables)


@pass_eval_context
def _template_npgettext(eval_ctx, context: str, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    return _shown(eval_ctx, request_translations().unpgettext(context, singular, plural, num), variables)


def example_hint(example: str, language: str) -> LazyString:
    """A field's hint "For example: …" whose example is written in `language` ("en" for an English
    name asked on a Chinese page, "zh-CN" the other way), marked with its language so screen
    readers read it in that language and the page's language checks leave it alone."""

    def render() -> Markup:
        shown = Markup('<span lang="{}">{}</span>').format(language, example)
        return Markup(gettext("For example: %(example)s")).replace("%(example)s", shown)

    return LazyString(render)
