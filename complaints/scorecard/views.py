"""The public pledge scorecard (no login): the pledge in words and numbers, what was kept of it
over the last 30 and 90 days and each quarter, month by month charts, and how each figure is
counted. Only counts: nobody's personal data."""

from __future__ import annotations

import threading

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

from complaints.models import ClockKind
from complaints.scorecard import charts, presenting
from complaints.services import scorecard

bp = Blueprint("scorecard", __name__)

# The page's body is the same for every viewer of one language and time zone until the figures
# are computed again: it is rendered once per (computed scorecard, language, zone) and kept, since
# formatting its few hundred figures and nine charts cost ~50 ms a request.
_BODIES: dict[tuple, tuple[scorecard.Scorecard, Markup]] = {}
_BODIES_KEPT = 16
_LOCK = threading.Lock()


@bp.get("/pledge")
def pledge():
    card = scorecard.scorecard()
    key = (id(card), str(get_locale()), str(get_timezone()))
    kept = _BODIES.get(key)
    body = kept[1] if kept is not None and kept[0] is card else None
    if body is None:
        body = Markup(
            render_template(
                "scorecard/_body.html",
                card=card,
                charts=charts.monthly_charts(card),
                say=presenting,
                kinds=list(ClockKind),
                window_rule=scorecard.WINDOW_RULE,
                when_rule=scorecard.WHEN_RULE,
                appeal_days=current_app.config["APPEAL_WINDOW_DAYS"],
            )
        )
        with _LOCK:
            if len(_BODIES) >= _BODIES_KEPT:
                _BODIES.clear()
            _BODIES[key] = (card, body)
    return render_template("scorecard/pledge.html", body=body)
