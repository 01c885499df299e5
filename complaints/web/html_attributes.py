"""Form fields' HTML attributes, written as WTForms writes them, without its slow formatter.

WTForms writes each attribute of each field and each option with `Markup('{k}="{v}"').format()`,
whose escaping formatter is pure Python: an open complaint's page, with a form for each action
the agent may take, spent 0.7 ms of its 13 there. `html_params` below writes the same text
(tests/unit/test_html_attributes.py compares the two) and `install` puts it where WTForms'
widgets look for theirs: the module's function, the package's (labels use that one) and the
widget classes that keep a copy.
"""

from __future__ import annotations

import wtforms.widgets
from markupsafe import Markup, escape
from wtforms.widgets import core

_WTFORMS_HTML_PARAMS = core.html_params  # kept to compare with, and to put back


def html_params(**kwargs) -> Markup:
    """The attributes `kwargs` as WTForms writes them: sorted by name, `class_` as `class`,
    `data_`/`aria_` names with hyphens, True as the bare name, False left out, values escaped."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is False:
            continue
        name = escape(core.clean_key(key))
        if value is True:
            params.append(name)
            continue
        # escaped; a Markup value is kept as it is, but no quote in it may end the attribute
        text = str(escape(value)).replace('"', "&quot;")
        params.append(f'{name}="{text}"')
    return Markup(" ".join(params))


def _widget_classes_with_a_copy() -> list[type]:
    return [
        widget
        for widget in vars(core).values()
        if isinstance(widget, type) and vars(widget).get("html_params") is not None
    ]


def install() -> None:
    """Make WTForms' widgets write attributes with html_params (idempotent)."""
    core.html_params = wtforms.widgets.html_params = html_params
    for widget in _widget_classes_with_a_copy():
        widget.html_params = staticmethod(html_params)
