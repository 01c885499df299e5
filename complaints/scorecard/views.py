"""The public pledge scorecard (no login): the pledge in words and numbers, what was kept of it
over the last 30 and 90 days and each quarter, month by month charts, and how each figure is
counted. Only counts: nobody's personal data."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from complaints.models import ClockKind
from complaints.scorecard import charts, presenting
from complaints.services import scorecard

bp = Blueprint("scorecard", __name__)


@bp.get("/pledge")
def pledge():
    card = scorecard.scorecard()
    return render_template(
        "scorecard/pledge.html",
        card=card,
        charts=charts.monthly_charts(card),
        say=presenting,
        kinds=list(ClockKind),
        window_rule=scorecard.WINDOW_RULE,
        when_rule=scorecard.WHEN_RULE,
        appeal_days=current_app.config["APPEAL_WINDOW_DAYS"],
    )
