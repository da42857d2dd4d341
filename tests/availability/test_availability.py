"""Free appointment times: daylight saving, limits, buffers, absences and openings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scheduler.availability import (
    Interval,
    ServiceParams,
    Slot,
    WeeklyRule,
    WorkerSchedule,
    free_slots,
    free_starts_us,
    is_slot_free,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2027, 1, 4, tzinfo=UTC)  # well before every date below
EVERY_DAY = range(7)


def local(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    """A Helsinki wall time on ``day`` as a UTC instant."""
    wall = datetime.combine(day, time(hour, minute, fold=fold), tzinfo=HELSINKI)
    return wall.astimezone(UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rules(start: time, end: time, weekdays: range | list[int] = EVERY_DAY) -> list[WeeklyRule]:
    return [WeeklyRule(weekday, start, end) for weekday in weekdays]


def service(duration: int = 60, interval: int = 60, **extra: Any) -> ServiceParams:
    """A service whose horizon reaches every date of these tests unless told otherwise."""
    extra.setdefault("horizon_days", 400)
    return ServiceParams(duration_min=duration, slot_interval_min=interval, **extra)


def slots_for(
    params: ServiceParams,
    *workers: WorkerSchedule,
    first: date,
    last: date,
    now: datetime = NOW,
) -> list[Slot]:
    """Free slots from local midnight of ``first`` to local midnight after ``last``."""
    return free_slots(
        params, list(workers), HELSINKI, now, local(first, 0), local(last + timedelta(days=1), 0)
    )


def starts(slots: list[Slot]) -> list[datetime]:
    return [slot.start for slot in slots]


def by_local_day(slots: list[Slot]) -> dict[date, list[Slot]]:
    days: dict[date, list[Slot]] = {}
    for slot in slots:
        days.setdefault(slot.start.astimezone(HELSINKI).date(), []).append(slot)
    return days


# --- daylight saving time ------------------------------------------------------------

SPRING_CHANGE = date(2027, 3, 28)  # 03:00 EET becomes 04:00 EEST
AUTUMN_CHANGE = date(2027, 10, 31)  # 04:00 EEST becomes 03:00 EET


def test_office_hours_move_one_hour_earlier_in_utc_across_spring_change() -> None:
    worker = WorkerSchedule(1, rules(time(9), time(17)))
    days = by_local_day(
        slots_for(service(), worker, first=date(2027, 3, 27), last=date(2027, 3, 29))
    )

    assert [(day, s[0].start, s[-1].end, len(s)) for day, s in sorted(days.items())] == [
        (date(2027, 3, 27), utc(2027, 3, 27, 7), utc(2027, 3, 27, 15), 8),
        (date(2027, 3, 28), utc(2027, 3, 28, 6), utc(2027, 3, 28, 14), 8),
        (date(2027, 3, 29), utc(2027, 3, 29, 6), utc(2027, 3, 29, 14), 8),
    ]


def test_office_hours_move_one_hour_later_in_utc_across_autumn_change() -> None:
    worker = WorkerSchedule(1, rules(time(9), time(17)))
    days = by_local_day(
        slots_for(service(), worker, first=date(2027, 10, 30), last=date(2027, 11, 1))
    )

    assert [(day, s[0].start, s[-1].end, len(s)) for day, s in sorted(days.items())] == [
        (date(2027, 10, 30), utc(2027, 10, 30, 6), utc(2027, 10, 30, 14), 8),
        (date(2027, 10, 31), utc(2027, 10, 31, 7), utc(2027, 10, 31, 15), 8),
        (date(2027, 11, 1), utc(2027, 11, 1, 7), utc(2027, 11, 1, 15), 8),
    ]


def test_rule_over_the_skipped_spring_hour_is_two_real_hours() -> None:
    # 02:00 EET is 00:00 UTC and 05:00 EEST is 02:00 UTC.
    worker = WorkerSchedule(1, [WeeklyRule(6, time(2), time(5))])
    slots = slots_for(service(60, 30), worker, first=SPRING_CHANGE, last=SPRING_CHANGE)

    assert starts(slots) == [utc(2027, 3, 28, 0), utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 1)]
    assert [s.start.astimezone(HELSINKI).time() for s in slots] == [time(2), time(2, 30), time(4)]


def test_rule_inside_the_skipped_spring_hour_gives_no_time() -> None:
    # Both ends read with the winter offset or fall on the same instant: 01:00 UTC.
    worker = WorkerSchedule(1, [WeeklyRule(6, time(3), time(4))])

    assert slots_for(service(15, 15), worker, first=SPRING_CHANGE, last=SPRING_CHANGE) == []


def test_rule_starting_in_the_skipped_spring_hour_starts_at_the_change() -> None:
    # 03:00 does not exist; read with the winter offset it is 01:00 UTC, the change itself.
    worker = WorkerSchedule(1, [WeeklyRule(6, time(3), time(5))])
    slots = slots_for(service(60, 60), worker, first=SPRING_CHANGE, last=SPRING_CHANGE)

    assert [(s.start, s.end) for s in slots] == [(utc(2027, 3, 28, 1), utc(2027, 3, 28, 2))]


def test_rule_over_the_repeated_autumn_hour_is_four_real_hours() -> None:
    # 02:00 EEST is 23:00 UTC the day before and 05:00 EET is 03:00 UTC.
    worker = WorkerSchedule(1, [WeeklyRule(6, time(2), time(5))])
    slots = slots_for(service(60, 60), worker, first=AUTUMN_CHANGE, last=AUTUMN_CHANGE)

    assert starts(slots) == [
        utc(2027, 10, 30, 23),
        utc(2027, 10, 31, 0),
        utc(2027, 10, 31, 1),
        utc(2027, 10, 31, 2),
    ]
    walls = [s.start.astimezone(HELSINKI) for s in slots]
    assert [(w.hour, w.fold) for w in walls] == [(2, 0), (3, 0), (3, 1), (4, 0)]


def test_rule_starting_in_the_repeated_autumn_hour_starts_at_its_first_occurrence() -> None:
    worker = WorkerSchedule(1, [WeeklyRule(6, time(3), time(3, 30))])
    slots = slots_for(service(30, 30), worker, first=AUTUMN_CHANGE, last=AUTUMN_CHANGE)

    assert [(s.start, s.end) for s in slots] == [(utc(2027, 10, 31, 0), utc(2027, 10, 31, 0, 30))]


# --- workers, limits, notice, horizon ----------------------------------------------------

MONDAY = date(2027, 3, 1)
TUESDAY = date(2027, 3, 2)


def test_any_worker_lists_every_free_worker_in_ascending_order() -> None:
    early = WorkerSchedule(7, rules(time(9), time(11), [0]))
    late = WorkerSchedule(3, rules(time(10), time(12), [0]))
    slots = slots_for(service(), early, late, first=MONDAY, last=MONDAY)

    assert [(s.start, s.worker_ids) for s in slots] == [
        (local(MONDAY, 9), (7,)),
        (local(MONDAY, 10), (3, 7)),
        (local(MONDAY, 11), (3,)),
    ]
    assert all(s.end == s.start + timedelta(hours=1) for s in slots)


def test_worker_at_the_daily_limit_has_no_times_that_local_day() -> None:
    hours = rules(time(9), time(12), [0, 1])
    full_monday = WorkerSchedule(1, hours, bookings_per_day={MONDAY: 2, TUESDAY: 1})
    slots = slots_for(service(max_per_day=2), full_monday, first=MONDAY, last=TUESDAY)

    assert set(by_local_day(slots)) == {TUESDAY}
    assert len(slots) == 3


def test_daily_limit_counts_by_local_date_not_utc_date() -> None:
    # 00:30 on Tuesday in Helsinki is still Monday in UTC.
    worker = WorkerSchedule(1, rules(time(0, 30), time(1, 30), [1]), bookings_per_day={TUESDAY: 1})
    limited = service(max_per_day=1)

    assert slots_for(limited, worker, first=TUESDAY, last=TUESDAY) == []
    monday_full = WorkerSchedule(
        1, rules(time(0, 30), time(1, 30), [1]), bookings_per_day={MONDAY: 1}
    )
    assert starts(slots_for(limited, monday_full, first=TUESDAY, last=TUESDAY)) == [
        utc(2027, 3, 1, 22, 30)
    ]


def test_minimum_notice_hides_starts_too_soon_and_keeps_the_exact_boundary() -> None:
    worker = WorkerSchedule(1, rules(time(9), time(12), [0]))
    params = service(30, 15, min_notice_min=60)

    soon = slots_for(params, worker, first=MONDAY, last=MONDAY, now=local(MONDAY, 9, 10))
    assert soon[0].start == local(MONDAY, 10, 15)
    exact = slots_for(params, worker, first=MONDAY, last=MONDAY, now=local(MONDAY, 9, 15))
    assert exact[0].start == local(MONDAY, 10, 15)


def test_horizon_ends_bookable_times_exactly_horizon_days_after_now() -> None:
    worker = WorkerSchedule(1, rules(time(9), time(12)))
    now = local(MONDAY, 10)
    slots = slots_for(service(horizon_days=2), worker, first=MONDAY, last=date(2027, 3, 5), now=now)

    assert starts(slots) == [
        local(MONDAY, 10),
        local(MONDAY, 11),
        local(TUESDAY, 9),
        local(TUESDAY, 10),
        local(TUESDAY, 11),
        local(date(2027, 3, 3), 9),
    ]


# --- busy times, buffers, absences, openings, validity -------------------------------------


def test_busy_time_blocks_starts_whose_buffers_would_overlap_it() -> None:
    busy = [Interval(local(MONDAY, 11), local(MONDAY, 12))]
    worker = WorkerSchedule(1, rules(time(9), time(14), [0]), busy=busy)

    plain = slots_for(service(60, 30), worker, first=MONDAY, last=MONDAY)
    assert [s.start.astimezone(HELSINKI).strftime("%H:%M") for s in plain] == [
        "09:00", "09:30", "10:00", "12:00", "12:30", "13:00",
    ]  # fmt: skip
    buffered = slots_for(
        service(60, 30, buffer_before_min=15, buffer_after_min=15),
        worker,
        first=MONDAY,
        last=MONDAY,
    )
    assert [s.start.astimezone(HELSINKI).strftime("%H:%M") for s in buffered] == [
        "09:00", "09:30", "12:30", "13:00",
    ]  # fmt: skip


def test_absence_removes_overlapping_starts_but_keeps_the_grid() -> None:
    absence = [Interval(local(MONDAY, 9), local(MONDAY, 9, 20))]
    worker = WorkerSchedule(1, rules(time(9), time(12), [0]), absences=absence)
    slots = slots_for(service(45, 45), worker, first=MONDAY, last=MONDAY)

    assert starts(slots) == [local(MONDAY, 9, 45), local(MONDAY, 10, 30), local(MONDAY, 11, 15)]


def test_absence_touching_a_slot_does_not_block_it() -> None:
    absence = [Interval(local(MONDAY, 10), local(MONDAY, 11))]
    worker = WorkerSchedule(1, rules(time(9), time(12), [0]), absences=absence)

    assert starts(slots_for(service(), worker, first=MONDAY, last=MONDAY)) == [
        local(MONDAY, 9),
        local(MONDAY, 11),
    ]


def test_extra_opening_adds_times_on_a_day_without_hours() -> None:
    saturday = date(2027, 3, 6)
    opening = [Interval(local(saturday, 10), local(saturday, 12))]
    worker = WorkerSchedule(1, rules(time(9), time(12), range(5)), openings=opening)

    saturday_slots = by_local_day(slots_for(service(), worker, first=saturday, last=saturday))
    assert starts(saturday_slots[saturday]) == [local(saturday, 10), local(saturday, 11)]


def test_extra_opening_touching_weekly_hours_merges_and_anchors_the_grid() -> None:
    opening = [Interval(local(MONDAY, 8, 20), local(MONDAY, 9))]
    worker = WorkerSchedule(1, rules(time(9), time(12), [0]), openings=opening)

    assert starts(slots_for(service(), worker, first=MONDAY, last=MONDAY)) == [
        local(MONDAY, 8, 20),
        local(MONDAY, 9, 20),
        local(MONDAY, 10, 20),
    ]


def test_rule_applies_only_between_valid_from_and_valid_to_inclusive() -> None:
    rule = WeeklyRule(0, time(9), time(10), valid_from=date(2027, 3, 8), valid_to=date(2027, 3, 15))
    slots = slots_for(service(), WorkerSchedule(1, [rule]), first=MONDAY, last=date(2027, 3, 28))

    assert starts(slots) == [local(date(2027, 3, 8), 9), local(date(2027, 3, 15), 9)]


def test_only_starts_inside_the_requested_range_are_returned() -> None:
    worker = WorkerSchedule(1, rules(time(9), time(17), [0]))
    slots = free_slots(service(), [worker], HELSINKI, NOW, local(MONDAY, 10, 30), local(MONDAY, 13))

    assert starts(slots) == [local(MONDAY, 11), local(MONDAY, 12)]
    assert free_slots(service(), [worker], HELSINKI, NOW, local(MONDAY, 13), local(MONDAY, 9)) == []


def test_is_slot_free_agrees_with_free_slots_at_every_five_minutes() -> None:
    worker = WorkerSchedule(
        4,
        rules(time(8), time(16), [0, 1]),
        openings=[Interval(local(MONDAY, 17, 10), local(MONDAY, 19))],
        absences=[Interval(local(MONDAY, 12), local(MONDAY, 13, 10))],
        busy=[
            Interval(local(MONDAY, 9, 5), local(MONDAY, 9, 50)),
            Interval(local(TUESDAY, 10), local(TUESDAY, 11, 30)),
        ],
        bookings_per_day={TUESDAY: 3},
    )
    params = service(40, 20, buffer_before_min=10, buffer_after_min=5, max_per_day=4)
    now = local(MONDAY, 7, 45)
    free = set(starts(slots_for(params, worker, first=MONDAY, last=TUESDAY, now=now)))
    assert len(free) > 20

    instant = local(MONDAY, 0)
    while instant < local(date(2027, 3, 3), 0):
        assert is_slot_free(params, worker, HELSINKI, now, instant) == (instant in free), instant
        instant += timedelta(minutes=5)


def test_is_slot_free_refuses_a_start_off_the_grid_or_without_notice() -> None:
    worker = WorkerSchedule(1, rules(time(9), time(12), [0]))
    params = service(30, 30, min_notice_min=60)
    now = local(MONDAY, 9)

    assert is_slot_free(params, worker, HELSINKI, now, local(MONDAY, 10))
    assert not is_slot_free(params, worker, HELSINKI, now, local(MONDAY, 10, 10))
    assert not is_slot_free(params, worker, HELSINKI, now, local(MONDAY, 9, 30))


def test_naive_datetimes_are_refused() -> None:
    worker = WorkerSchedule(1, rules(time(9), time(12), [0]))
    naive = datetime(2027, 3, 1, 9)

    # Each refusal names the value that was naive.
    with pytest.raises(ValueError, match=r"^now must be a timezone-aware"):
        free_slots(service(), [worker], HELSINKI, naive, NOW, NOW + timedelta(days=1))
    with pytest.raises(ValueError, match=r"^range_start must be a timezone-aware"):
        free_slots(service(), [worker], HELSINKI, NOW, naive, NOW + timedelta(days=1))
    with pytest.raises(ValueError, match=r"^range_end must be a timezone-aware"):
        free_slots(service(), [worker], HELSINKI, NOW, NOW, naive)
    with pytest.raises(ValueError, match=r"^now must be a timezone-aware"):
        is_slot_free(service(), worker, HELSINKI, naive, NOW)
    with pytest.raises(ValueError, match=r"^start must be a timezone-aware"):
        is_slot_free(service(), worker, HELSINKI, NOW, naive)
    with pytest.raises(ValueError, match=r"^Interval.start must be a timezone-aware"):
        Interval(naive, NOW)
    with pytest.raises(ValueError, match=r"^Interval.end must be a timezone-aware"):
        Interval(NOW, naive)


def test_an_empty_range_has_no_free_starts() -> None:
    worker = WorkerSchedule(1, rules(time(0), time(23, 59)))
    start_us = (NOW - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    assert free_starts_us(service(), worker, HELSINKI, start_us, start_us) == []
    assert free_starts_us(service(), worker, HELSINKI, start_us, start_us - 1) == []
    assert free_starts_us(service(), worker, HELSINKI, start_us, start_us + 3_600_000_000)


def test_malformed_inputs_are_refused() -> None:
    backwards = r"^a weekly rule must start before it ends on the same day$"
    with pytest.raises(ValueError, match=backwards):
        WeeklyRule(0, time(12), time(9))
    with pytest.raises(ValueError, match=r"^weekday must be 0\.\.6, got 7$"):
        WeeklyRule(7, time(9), time(12))
    with pytest.raises(ValueError, match=r"^an interval must not end before it starts$"):
        Interval(NOW, NOW - timedelta(minutes=1))
    with pytest.raises(ValueError, match=r"^duration and slot interval must be positive$"):
        ServiceParams(duration_min=0, slot_interval_min=15)
    with pytest.raises(ValueError, match=r"^duration and slot interval must be positive$"):
        ServiceParams(duration_min=30, slot_interval_min=0)
    with pytest.raises(ValueError, match=r"^buffers and notice must not be negative$"):
        ServiceParams(duration_min=30, slot_interval_min=15, buffer_before_min=-1)
    with pytest.raises(ValueError, match=r"^horizon and daily limit must not be negative$"):
        ServiceParams(duration_min=30, slot_interval_min=15, max_per_day=-1)
