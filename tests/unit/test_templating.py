"""The templates' Python helpers (complaints/web/templating.py): instants as Flask-Babel writes
them, and the badges and pledge lines the lists show."""

from datetime import UTC, datetime, timedelta, timezone

import flask_babel
import pytest
from flask_babel import force_locale

from complaints import create_app
from complaints.models.complaint import WaitingOn
from complaints.models.sla import ClockKind
from complaints.sla.terms import ClockState
from complaints.web import templating
from complaints.workflow import State


@pytest.fixture(scope="module")
def app():
    return create_app(None, {"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})


# Instants that cross a date line, summer time in both directions (New York, London), a leap day,
# midnight and the last second of a year.
INSTANTS = [
    datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC),
    datetime(2026, 3, 8, 6, 59, 59, tzinfo=UTC),
    datetime(2026, 3, 8, 7, 0, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 30, 0, tzinfo=UTC),
    datetime(2028, 2, 29, 15, 59, 59, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=8))),  # aware, not UTC
    datetime(2026, 6, 1, 12, 0, 0),  # naive: taken as UTC, as Babel takes it
]
ZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "Asia/Kolkata", "UTC"]


@pytest.mark.parametrize("language", ["zh_CN", "en", "de", "ja"])
@pytest.mark.parametrize("zone", ZONES)
def test_when_writes_what_flask_babel_writes_in_every_named_format(app, monkeypatch, language, zone):
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", zone)  # the viewer's zone (web/i18n.py)
    with app.test_request_context("/"), force_locale(language):
        assert str(flask_babel.get_timezone()) == zone
        for fmt in ("short", "medium", "long", "full"):
            for instant in INSTANTS:
                assert templating.when(instant, fmt) == flask_babel.format_datetime(instant, fmt), (
                    fmt,
                    instant,
                )


def test_when_shows_in_the_viewers_zone_and_passes_patterns_and_dates_to_babel(app):
    with app.test_request_context("/"), force_locale("en"):
        instant = datetime(2026, 1, 1, 20, 30, tzinfo=UTC)
        assert templating.when(instant, "short") == "1/2/26, 4:30\u202fAM"  # Shanghai, a day on
        assert templating.when(instant, "yyyy-MM-dd HH:mm") == "2026-01-02 04:30"
        assert templating.when(None) == "—"


class _Complaint:
    def __init__(self, state, waiting):
        self.state, self.waiting = state, waiting


def test_status_badges_show_the_state_then_whom_it_waits_for(app):
    with app.test_request_context("/"), force_locale("en"):
        html = str(
            templating.status_badges(_Complaint(State.VERIFIED, (WaitingOn.MERCHANT, WaitingOn.CONSUMER)))
        )
        assert html.startswith('<span class="badge state-verified">')
        assert html.count('<span class="badge warn">') == 2
        alone = str(templating.status_badges(_Complaint(State.RECEIVED, ())))
        assert alone == str(templating.state_badge(State.RECEIVED))
        assert "warn" not in alone


class _Status:
    def __init__(self, kind, state, left=None, over=None, clock_time=False):
        self.kind, self.state, self.left, self.over, self.clock_time = kind, state, left, over, clock_time


def test_a_pledge_line_names_its_pledge_the_time_and_the_badge_escaped_once(app):
    at_risk = _Status(ClockKind.RESOLUTION, ClockState.AT_RISK, left=timedelta(hours=2, minutes=5))
    over = _Status(ClockKind.RESOLUTION, ClockState.OVERDUE, over=timedelta(hours=30), clock_time=True)
    with app.test_request_context("/"), force_locale("en"):
        assert str(templating.pledge_line(at_risk)) == (
            'Resolution: 2h 05m of working time left <span class="badge warn">At risk</span>'
        )
        assert (
            str(templating.pledge_line(over))
            == 'Resolution: 30h 00m over <span class="badge bad">Overdue</span>'
        )
    with app.test_request_context("/"), force_locale("zh_CN"):
        assert str(templating.pledge_line(at_risk)) == (
            '投诉解决：剩余2小时05分（工作时间） <span class="badge warn">即将超时</span>'
        )
