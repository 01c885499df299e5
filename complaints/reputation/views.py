"""Shops' reputation, month by month (services/reputation.py counts and scores; the model is
services/reputation_model.py).

| page | who |
|---|---|
| every shop's latest score, lowest first | the platform's staff and admins |
| one shop's months: chart, figures, what moved the score | the same, and the shop's own staff (their shop: "my shop") |
| the complaints behind one figure of a shop's month | the same |
| recording a month's order volume | supervisors and admins |
| the scoring model | anyone, no sign-in |

Who may open which is the participant policy's answer (participants.reputation_roles).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from complaints import participants
from complaints.extensions import db
from complaints.models import Complaint, Merchant
from complaints.reputation.forms import OrderVolumeForm
from complaints.scorecard import charts
from complaints.services import reputation, reputation_model, sanctions
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.workflow import Refusal

bp = Blueprint("reputation", __name__, url_prefix="/reputation")

READERS = participants.reputation_roles("read")
OWN_SHOP = participants.reputation_roles("own_shop")
RECORDERS = participants.reputation_roles("record")


@bp.get("/")
@roles_required(*READERS)
def shops():
    return render_template("reputation/shops.html", latest=reputation.latest_scores())


@bp.get("/shops/<int:merchant_id>")
@roles_required(*READERS)
def shop(merchant_id: int):
    return shop_page(merchant_id)


@bp.get("/my-shop")
@roles_required(*OWN_SHOP)
def my_shop():
    return shop_page(current_user.merchant_id, own=True)


def shop_page(
    merchant_id: int,
    form: OrderVolumeForm | None = None,
    problem: str | None = None,
    status=200,
    own: bool = False,
):
    shop = db.session.get(Merchant, merchant_id)
    if shop is None:
        abort(404)
    if form is None and current_user.role in RECORDERS:
        form = OrderVolumeForm(formdata=None)
    months = reputation.history(shop.id)
    body = render_template(
        "reputation/shop.html",
        shop=shop,
        months=months,
        parts={row.id: reputation_model.parts(reputation.figures_of(row)) for row in months},
        chart=score_chart(months),
        form=form,
        problem=problem,
        thresholds=reputation.thresholds(),
        events=sanctions.timeline(shop.id),
        figure_url=lambda row, figure: figure_url(shop.id, row.month.strftime("%Y-%m"), figure, own),
        listed=reputation.FIGURES,
    )
    return body, status


@bp.get("/shops/<int:merchant_id>/<month>/<figure>")
@roles_required(*READERS)
def shop_figure(merchant_id: int, month: str, figure: str):
    return figure_page(merchant_id, month, figure, own=False)


@bp.get("/my-shop/<month>/<figure>")
@roles_required(*OWN_SHOP)
def my_shop_figure(month: str, figure: str):
    return figure_page(current_user.merchant_id, month, figure, own=True)


def figure_page(merchant_id: int, month_text: str, figure: str, own: bool):
    """The complaints behind one figure of a shop's month (a bad month or figure: 404)."""
    shop = db.session.get(Merchant, merchant_id)
    if shop is None or figure not in reputation.FIGURES:
        abort(404)
    try:
        month = reputation.Month.parse(month_text)
    except Refusal:
        abort(404)
    readable = participants.visible_complaints(current_user).with_only_columns(Complaint.id)
    listed = reputation.behind_page(shop.id, month, figure, readable, request.args.get("page", 1, type=int))
    return render_template(
        "reputation/figure.html",
        shop=shop,
        month=str(month),
        listed=listed,
        back=url_for(".my_shop") if own else url_for(".shop", merchant_id=shop.id),
        page_url=lambda page: figure_url(shop.id, str(month), figure, own, page),
    )


def figure_url(merchant_id: int, month: str, figure: str, own: bool, page: int | None = None) -> str:
    """The list behind a figure, in the shop's own area (`own`) or the platform's."""
    more = {"page": page} if page and page > 1 else {}
    if own:
        return url_for(".my_shop_figure", month=month, figure=figure, **more)
    return url_for(".shop_figure", merchant_id=merchant_id, month=month, figure=figure, **more)


@bp.post("/shops/<int:merchant_id>/orders")
@roles_required(*RECORDERS)
def record_orders(merchant_id: int):
    if db.session.get(Merchant, merchant_id) is None:
        abort(404)
    form = OrderVolumeForm()
    if not form.validate_on_submit():
        return shop_page(merchant_id, form, status=400)
    try:
        month = reputation.Month.parse(form.volume_month.data)
        reputation.record_orders(current_user, merchant_id, month, form.volume_orders.data)
    except Refusal as refused:
        return shop_page(merchant_id, form, translated(refused), status=400)
    flash(_("The order volume was recorded; it counts when the month is scored next."), "success")
    return redirect(url_for(".shop", merchant_id=merchant_id))


@bp.get("/model")
def model():
    """The scoring model as it is configured, for anyone (no personal data)."""
    return render_template(
        "reputation/model.html", weights=reputation_model.WEIGHTS, thresholds=reputation.thresholds()
    )


def score_chart(months) -> charts.Chart | None:
    """The shop's score by month as a bar chart, the line at the lowest grade that passes (D)."""
    if not months:
        return None
    lowest_pass = reputation.thresholds()[-1]
    points = [
        (row.month.strftime("%m"), float(row.score), f"{row.month:%Y-%m} · {row.score} · {row.grade}")
        for row in months
    ]
    line = charts.line_at(lowest_pass, 100, str(lowest_pass))
    return charts.plain_chart(points, 100, line)


from complaints.reputation import sanctions as _sanctions  # noqa: E402,F401 - registers the measures' views on bp
