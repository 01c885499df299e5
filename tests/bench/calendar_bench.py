"""Working-time arithmetic over short and long spans: the cost must not grow with the span.

Run by `make bench` (or `python tests/bench/calendar_bench.py`). Prints microseconds per call of
working_time_between over 1 day and over 5 years on China's calendar, and add_working_hours of
9 hours and of 10,000 hours, and fails when a long span costs more than 3 times a short one or
any call more than 50 microseconds (the targets of the pledge's queue pages).
"""

from __future__ import annotations

import sys
import timeit
from datetime import UTC, datetime, timedelta

from complaints.sla import calendar as wt
from complaints.sla.china import china_calendar

CALLS = 20_000
TARGET_US = 50
RATIO = 3


def per_call_us(fn) -> float:
    fn()  # the index is built once per calendar, not per call
    return min(timeit.repeat(fn, number=CALLS, repeat=5)) / CALLS * 1e6


def main() -> int:
    cal = china_calendar(range(2020, 2032))
    start = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    figures = {
        "working_time_between, 1 day": per_call_us(
            lambda: wt.working_time_between(cal, start, start + timedelta(days=1))
        ),
        "working_time_between, 5 years": per_call_us(
            lambda: wt.working_time_between(cal, start, start + timedelta(days=5 * 365))
        ),
        "add_working_hours, 9 h": per_call_us(lambda: wt.add_working_hours(cal, start, 9)),
        "add_working_hours, 10,000 h": per_call_us(lambda: wt.add_working_hours(cal, start, 10_000)),
    }
    for name, us in figures.items():
        print(f"{name:32} {us:8.2f} µs")
    ratio = figures["working_time_between, 5 years"] / figures["working_time_between, 1 day"]
    print(f"{'5 years / 1 day':32} {ratio:8.2f}")
    slow = [name for name, us in figures.items() if us > TARGET_US]
    if ratio > RATIO or slow:
        print(f"FAILED: ratio {ratio:.2f} (target < {RATIO}); over {TARGET_US} µs: {slow}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
