"""Local wall-clock times as UTC instants on the days the clocks change, checked against
instants written out by hand (Helsinki: EET +2 in winter, EEST +3 in summer)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from scheduler.kernel import HELSINKI, day_bounds, local_date, local_instant

SPRING = date(2026, 3, 29)  # 03:00 EET becomes 04:00 EEST
AUTUMN = date(2026, 10, 25)  # 04:00 EEST becomes 03:00 EET


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "wall", "instant"),
    [
        (SPRING, time(0), utc(2026, 3, 28, 22)),
        (SPRING, time(2, 59), utc(2026, 3, 29, 0, 59)),
        # The skipped hour is read with the winter offset.
        (SPRING, time(3, 30), utc(2026, 3, 29, 1, 30)),
        (SPRING, time(4), utc(2026, 3, 29, 1)),
        (SPRING, time(9, 15), utc(2026, 3, 29, 6, 15)),
        (SPRING, time(23, 59), utc(2026, 3, 29, 20, 59)),
        (AUTUMN, time(0), utc(2026, 10, 24, 21)),
        # The repeated hour is read as its first occurrence, still in summer time.
        (AUTUMN, time(3, 30), utc(2026, 10, 25, 0, 30)),
        (AUTUMN, time(4), utc(2026, 10, 25, 2)),
        (AUTUMN, time(9, 15), utc(2026, 10, 25, 7, 15)),
        (AUTUMN, time(23, 59), utc(2026, 10, 25, 21, 59)),
        (date(2026, 7, 1), time(12), utc(2026, 7, 1, 9)),
        (date(2026, 1, 15), time(12), utc(2026, 1, 15, 10)),
    ],
)
def test_local_wall_time_is_the_instant_of_that_moment_on_the_day(
    day: date, wall: time, instant: datetime
) -> None:
    got = local_instant(day, wall, HELSINKI)

    assert got == instant
    assert got.tzinfo is UTC


def test_the_day_the_clocks_go_forward_is_23_hours_long() -> None:
    assert day_bounds(SPRING, HELSINKI) == (utc(2026, 3, 28, 22), utc(2026, 3, 29, 21))


def test_the_day_the_clocks_go_back_is_25_hours_long() -> None:
    assert day_bounds(AUTUMN, HELSINKI) == (utc(2026, 10, 24, 21), utc(2026, 10, 25, 22))


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        (utc(2026, 3, 28, 21, 59), date(2026, 3, 28)),
        (utc(2026, 3, 28, 22), SPRING),
        (utc(2026, 10, 24, 20, 59), date(2026, 10, 24)),
        (utc(2026, 10, 24, 21), AUTUMN),
        (utc(2026, 10, 25, 21, 59), AUTUMN),
        (utc(2026, 10, 25, 22), date(2026, 10, 26)),
    ],
)
def test_an_instant_falls_on_its_local_date(instant: datetime, day: date) -> None:
    assert local_date(instant, HELSINKI) == day
