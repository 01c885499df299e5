"""Tests for ``flask sla due`` on a minimal Flask app (no database)."""

from __future__ import annotations

import pytest
from flask import Flask

from complaints.sla.commands import sla_cli


@pytest.fixture()
def invoke():
    app = Flask(__name__)
    app.cli.add_command(sla_cli)
    runner = app.test_cli_runner()

    def run(*args: str):
        return runner.invoke(args=["sla", "due", *args])

    return run


def assert_clean_error(result, *fragments: str) -> None:
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output


def test_spec_example_working_days(invoke):
    result = invoke("--calendar", "CN", "--start", "2026-09-30T17:00", "--working-days", "7")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2026-10-15T18:00:00+08:00\n"


def test_start_with_offset_is_converted_and_printed_in_calendar_zone(invoke):
    # 09:00Z is 17:00 in Shanghai, same instant as the spec example.
    result = invoke("--start", "2026-09-30T09:00:00Z", "--working-days", "7")
    assert result.stdout == "2026-10-15T18:00:00+08:00\n"


def test_hours(invoke):
    result = invoke("--calendar", "cn", "--start", "2026-09-30T17:00", "--hours", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2026-10-08T10:00:00+08:00\n"
    result = invoke("--start", "2026-09-30T17:00", "--hours", "1.5")
    assert result.stdout == "2026-10-08T09:30:00+08:00\n"


def test_year_end_uses_next_years_data(invoke):
    # Jan 1-2 2026 off, Sat Jan 3 off, Sun Jan 4 is a makeup workday.
    result = invoke("--start", "2025-12-31T17:00", "--hours", "2")
    assert result.stdout == "2026-01-04T10:00:00+08:00\n"


def test_long_window_spanning_several_years(invoke):
    result = invoke("--start", "2025-01-02T09:00", "--working-days", "1000")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2029-")
    assert result.stdout.endswith("T18:00:00+08:00\n")


def test_warns_on_stderr_for_years_without_makeup_workdays(invoke):
    result = invoke("--start", "2026-12-30T17:00", "--working-days", "5")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("2027-01-")
    assert "2027" in result.stderr and "warning" in result.stderr
    quiet = invoke("--start", "2026-09-30T17:00", "--working-days", "7")
    assert quiet.stderr == ""


def test_24x7_calendar(invoke):
    result = invoke("--calendar", "24x7", "--start", "2026-10-01T10:00", "--hours", "30")
    assert result.stdout == "2026-10-02T16:00:00+00:00\n"
    result = invoke(
        "--calendar", "24x7", "--tz", "Europe/Berlin", "--start", "2026-03-28T12:00",
        "--working-days", "1",
    )  # fmt: skip
    assert result.stdout == "2026-03-30T00:00:00+02:00\n"


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--start", "2026-09-30T17:00"), ("exactly one",)),
        (
            ("--start", "2026-09-30T17:00", "--hours", "1", "--working-days", "1"),
            ("exactly one",),
        ),
        (("--start", "yesterday", "--hours", "1"), ("--start", "ISO 8601")),
        (
            ("--start", "2026-09-30T17:00", "--hours", "abc"),
            ("--hours", "not a number"),
        ),
        (("--start", "2026-09-30T17:00", "--hours", "-1"), ("--hours",)),
        (("--start", "2026-09-30T17:00", "--hours", "nan"), ("--hours",)),
        (("--start", "2026-09-30T17:00", "--working-days", "-1"), ("--working-days",)),
        (("--start", "2026-09-30T17:00", "--working-days", "x"), ("--working-days",)),
        (
            ("--calendar", "US", "--start", "2026-09-30", "--hours", "1"),
            ("--calendar",),
        ),
        (
            ("--tz", "Mars/Base", "--start", "2026-09-30", "--hours", "1"),
            ("time zone",),
        ),
        (
            (
                "--hours",
                "1",
            ),
            ("--start",),
        ),
        (("--start", "9999-12-31T17:00", "--working-days", "30"), ("cannot compute",)),
    ],
)
def test_bad_input_gives_click_error(invoke, args, fragments):
    assert_clean_error(invoke(*args), *fragments)
