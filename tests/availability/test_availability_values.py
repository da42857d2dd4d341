"""The plain values of the availability computation: the edges of what each accepts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

import pytest

from scheduler.availability import Interval, ServiceParams, WeeklyRule, WorkerSchedule
from scheduler.availability.values import require_aware, to_us

NOW = datetime(2027, 1, 4, tzinfo=UTC)


class _NoOffset(tzinfo):
    """A zone that does not know its offset: as unusable as none at all."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None


def test_weekdays_run_from_monday_0_to_sunday_6() -> None:
    assert [WeeklyRule(day, time(9), time(10)).weekday for day in (0, 6)] == [0, 6]
    for day in (-1, 7):
        with pytest.raises(ValueError, match=rf"^weekday must be 0\.\.6, got {day}$"):
            WeeklyRule(day, time(9), time(10))
    with pytest.raises(ValueError, match=r"^a weekly rule must start before it ends"):
        WeeklyRule(0, time(9), time(9))


def test_an_interval_may_be_empty_but_not_reversed() -> None:
    empty = Interval(NOW, NOW)
    assert (empty.start_us, empty.end_us) == (to_us(NOW), to_us(NOW))


def test_service_limits_accept_zero_and_refuse_negatives() -> None:
    zero = ServiceParams(duration_min=1, slot_interval_min=1, horizon_days=0, max_per_day=0)
    assert (zero.horizon_days, zero.max_per_day) == (0, 0)
    negative = r"^buffers and notice must not be negative$"
    for field in ("buffer_before_min", "buffer_after_min", "min_notice_min"):
        with pytest.raises(ValueError, match=negative):
            ServiceParams(duration_min=30, slot_interval_min=15, **{field: -1})
    with pytest.raises(ValueError, match=r"^horizon and daily limit must not be negative$"):
        ServiceParams(duration_min=30, slot_interval_min=15, horizon_days=-1)


def test_busy_microseconds_must_pair_up() -> None:
    with pytest.raises(ValueError, match=r"^busy_starts_us and busy_ends_us must pair up$"):
        WorkerSchedule(1, [], busy_starts_us=[1, 2], busy_ends_us=[3])
    assert WorkerSchedule(1, [], busy_starts_us=[1], busy_ends_us=[3]).busy_ends_us == [3]


def test_instants_need_a_known_offset_and_count_exact_microseconds() -> None:
    with pytest.raises(ValueError, match=r"^when must be a timezone-aware datetime, got "):
        require_aware(datetime(2027, 1, 4, tzinfo=_NoOffset()), "when")
    require_aware(NOW, "when")
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert to_us(epoch + timedelta(microseconds=1)) == 1
    assert to_us(epoch - timedelta(microseconds=1)) == -1
    assert to_us(NOW) == 1_799_020_800_000_000
