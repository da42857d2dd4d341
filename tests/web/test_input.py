"""The readers of what a client types: wall-clock times as Finns write them."""

from __future__ import annotations

from datetime import time

import pytest

from scheduler.web.input import parse_clock


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9", time(9, 0)),
        ("9.15", time(9, 15)),
        ("09:15", time(9, 15)),
        ("0.00", time(0, 0)),
        ("0", time(0, 0)),
        (" 18.30 ", time(18, 30)),
        ("23.59", time(23, 59)),
    ],
)
def test_a_time_is_read_as_written(raw: str, expected: time) -> None:
    assert parse_clock(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "24", "24.00", "9.60", "9.5", "9,15", "klo 9", "²", "١٢", None]
)
def test_what_is_not_a_time_is_none(raw: str | None) -> None:
    assert parse_clock(raw) is None
