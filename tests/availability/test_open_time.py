"""A worker's merged open time around a range (used to check a booking against the hours):
the weekly rules on the local dates from the day before to the day after, in literal UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from scheduler.availability import Interval, WeeklyRule, WorkerSchedule
from scheduler.availability.compute import open_time, to_us
from tests.availability.test_availability import HELSINKI


def utc(*args: int) -> int:
    return to_us(datetime(*args, tzinfo=UTC))  # type: ignore[misc]


WORKER = WorkerSchedule(
    worker_id=1,
    rules=[
        *(WeeklyRule(day, time(9), time(17)) for day in range(7)),
        WeeklyRule(0, time(18), time(19), valid_to=date(2026, 3, 29)),
    ],
    # Touches the end of Saturday's hours (17:00 EET is 15:00 UTC): the two merge.
    openings=[
        Interval(datetime(2026, 3, 28, 15, tzinfo=UTC), datetime(2026, 3, 28, 16, tzinfo=UTC))
    ],
)


def test_open_time_spans_the_day_before_and_after_across_the_spring_change() -> None:
    # 29 March 2026 is the spring change: EET (+2) before, EEST (+3) from 04:00 local.
    got = open_time(
        WORKER,
        HELSINKI,
        datetime(2026, 3, 29, 6, tzinfo=UTC),
        datetime(2026, 3, 29, 12, tzinfo=UTC),
    )
    assert got == [
        (utc(2026, 3, 28, 7), utc(2026, 3, 28, 16)),
        (utc(2026, 3, 29, 6), utc(2026, 3, 29, 14)),
        (utc(2026, 3, 30, 6), utc(2026, 3, 30, 14)),
    ]


def test_open_time_with_nothing_open_is_empty() -> None:
    closed = WorkerSchedule(worker_id=2, rules=[])
    start, end = datetime(2026, 3, 29, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC)
    assert open_time(closed, HELSINKI, start, end) == []


def test_open_time_refuses_naive_range_ends() -> None:
    aware, naive = datetime(2026, 3, 29, tzinfo=UTC), datetime(2026, 3, 29)
    with pytest.raises(ValueError, match=r"^range_start must be a timezone-aware datetime"):
        open_time(WORKER, HELSINKI, naive, aware)
    with pytest.raises(ValueError, match=r"^range_end must be a timezone-aware datetime"):
        open_time(WORKER, HELSINKI, aware, naive)
