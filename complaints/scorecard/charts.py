"""Month-by-month bar charts of the scorecard, as geometry for a hand-written SVG template
(templates/scorecard/_chart.html): no script, no inline style, so the strict CSP holds. Every bar
carries its figure in words; the same figures are in a table under the charts."""

from __future__ import annotations

import math
from dataclasses import dataclass

from complaints.scorecard import presenting
from complaints.services.scorecard import RATE, RATING, WINDOW, Figure, Scorecard

WIDTH, HEIGHT = 360, 170
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 12, 34  # room for the axis labels
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    month: str  # on the axis
    title: str  # the month and its figure in words (the bar's SVG title)
    short: bool  # a missed window or a rate under its floor that month


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    figure: Figure | None  # None: a chart of another page (plain_chart)
    bars: list[Bar]
    ticks: list[Tick]
    line: Tick | None  # the pledge (100 %) or the floor, drawn across
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: float = TOP + PLOT_H


def _top_of(figure: Figure, values: list[float]) -> float:
    if figure.kind in (WINDOW, RATE):
        return 1.0
    if figure.kind == RATING:
        return 5.0
    return max(1.0, math.ceil(max(values, default=0.0)))


def _tick_text(figure: Figure, value: float) -> str:
    if figure.kind in (WINDOW, RATE):
        return presenting.percent(value).replace(".0", "")
    return f"{value:g}"


def chart(figure: Figure, card: Scorecard) -> Chart:
    months = card.months
    measures = [m.measures[figure.key] for m in months]
    top = _top_of(figure, [m.value for m in measures if m.value is not None])
    slot = PLOT_W / len(months)
    bars = []
    for index, (month, measure) in enumerate(zip(months, measures, strict=True)):
        value = measure.value or 0.0
        height = PLOT_H * min(value, top) / top
        words = [presenting.period_label(month.period), presenting.value_text(measure)]
        if measure.value is not None:
            words.append(presenting.detail_text(measure))
        shortfall = presenting.shortfall_text(measure, card)
        if shortfall:
            words.append(shortfall)
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(TOP + PLOT_H - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                month=presenting.month_short(month.period),
                title=" · ".join(words),
                short=measure.falls_short,
            )
        )
    ticks = [
        Tick(round(TOP + PLOT_H * (1 - share), 1), _tick_text(figure, top * share)) for share in (0, 0.5, 1)
    ]
    line = None
    if figure.kind == RATE:
        floor = float(card.floor) / 100
        line = Tick(round(TOP + PLOT_H * (1 - floor), 1), presenting.floor_text(card))
    return Chart(figure, bars, ticks, line)


def plain_chart(points: list[tuple[str, float, str]], top: float, line: Tick | None = None) -> Chart:
    """A bar chart of (label on the axis, value, the bar's words) from 0 to `top`, as the
    scorecard's are drawn (another page's figures: a shop's reputation by month)."""
    slot = PLOT_W / max(len(points), 1)
    bars = [
        Bar(
            x=round(LEFT + index * slot + slot * 0.15, 1),
            y=round(TOP + PLOT_H * (1 - min(value, top) / top), 1),
            width=round(slot * 0.7, 1),
            height=round(PLOT_H * min(value, top) / top, 1),
            month=label,
            title=words,
            short=line is not None and value < line_value(line, top),
        )
        for index, (label, value, words) in enumerate(points)
    ]
    ticks = [Tick(round(TOP + PLOT_H * (1 - share), 1), f"{top * share:g}") for share in (0, 0.5, 1)]
    return Chart(None, bars, ticks, line)


def line_at(value: float, top: float, text: str) -> Tick:
    """A line across a plain chart at `value` (e.g. the lowest passing score)."""
    return Tick(round(TOP + PLOT_H * (1 - value / top), 1), text)


def line_value(line: Tick, top: float) -> float:
    return (1 - (line.y - TOP) / PLOT_H) * top


def monthly_charts(card: Scorecard) -> list[Chart]:
    """One chart per figure, over the months of the scorecard (oldest first)."""
    return [chart(figure, card) for figure in card.figures]
