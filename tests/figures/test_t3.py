"""T3 on crafted schedules: the pure computation on the families' own slot search, with
weekends, absences, shared and overlapping times, buffers and both DST changes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from scheduler.availability import Interval, ServiceParams, WeeklyRule, WorkerSchedule, free_slots
from scheduler.figures import t3
from scheduler.kernel import HELSINKI, local_instant

WEEKDAYS = (0, 1, 2, 3, 4)
HOUR = ServiceParams(duration_min=60, slot_interval_min=60, horizon_days=56)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_instant(day, time(hour, minute), HELSINKI)


def worker(
    worker_id: int,
    hours: tuple[int, int],
    days: tuple[int, ...] = WEEKDAYS,
    absences: tuple[Interval, ...] = (),
) -> WorkerSchedule:
    rules = tuple(WeeklyRule(d, time(hours[0]), time(hours[1])) for d in days)
    return WorkerSchedule(worker_id, rules, absences=absences)


def times(
    workers: list[WorkerSchedule], now: datetime, service: ServiceParams = HOUR
) -> list[t3.FreeTime]:
    slots = free_slots(service, workers, HELSINKI, now, now, now + timedelta(days=56))
    return t3.free_times(slots, service)


def t3_at(
    workers: list[WorkerSchedule], now: datetime, service: ServiceParams = HOUR
) -> int | None:
    return t3.t3_days(times(workers, now, service), now.astimezone(HELSINKI).date(), HELSINKI)


def test_third_free_time_later_the_same_day_is_zero_days() -> None:
    friday = date(2025, 3, 7)
    assert t3_at([worker(1, (9, 12))], at(friday, 8)) == 0


def test_weekend_counts_as_days_of_waiting() -> None:
    # Friday afternoon: the next three free times are on Monday morning.
    friday = date(2025, 3, 7)
    assert t3_at([worker(1, (9, 12))], at(friday, 13)) == 3


def test_saturday_query_counts_from_saturday() -> None:
    assert t3_at([worker(1, (9, 12))], at(date(2025, 3, 8), 10)) == 2


def test_absence_pushes_t3_past_the_missing_days() -> None:
    monday = date(2025, 3, 3)
    one_a_day = worker(1, (9, 10))
    assert t3_at([one_a_day], at(monday, 8)) == 2  # Mon, Tue, Wed
    away = Interval(at(date(2025, 3, 4), 0), at(date(2025, 3, 7), 0))  # Tue–Thu
    absent = worker(1, (9, 10), absences=(away,))
    # Mon, Fri, next Mon.
    assert t3_at([absent], at(monday, 8)) == 7


def test_workers_free_at_the_same_time_count_once() -> None:
    monday = date(2025, 3, 3)
    team = [worker(1, (9, 10)), worker(2, (9, 10))]
    # Mon 9, Tue 9, Wed 9: two workers at one start are one time for the family.
    assert t3_at(team, at(monday, 8)) == 2
    # The capacity count, by contrast, counts each worker.
    found = times(team, at(monday, 8))
    end = at(monday, 8) + timedelta(days=3)
    assert t3.bookable_count(found, at(monday, 8), end) == 6


def test_overlapping_starts_count_once_per_appointment() -> None:
    # 45-minute meetings on a 15-minute grid: 9.00, 9.15, 9.30, 9.45 are free on Monday
    # 9–10.30, but only 9.00 and 9.45 are separate appointments.
    service = ServiceParams(duration_min=45, slot_interval_min=15, horizon_days=56)
    monday = date(2025, 3, 3)
    pro = WorkerSchedule(
        1,
        (
            WeeklyRule(0, time(9), time(10, 30)),
            WeeklyRule(1, time(9), time(9, 45)),
            WeeklyRule(2, time(9), time(9, 45)),
        ),
    )
    found = times([pro], at(monday, 8), service)
    counted = t3.separate_times(found)
    assert [t.start for t in counted[:3]] == [
        at(monday, 9),
        at(monday, 9, 45),
        at(date(2025, 3, 4), 9),
    ]
    assert t3_at([pro], at(monday, 8), service) == 1


def test_buffers_keep_counted_times_apart() -> None:
    monday = date(2025, 3, 3)
    rules = (WeeklyRule(0, time(9), time(11, 15)), WeeklyRule(1, time(9), time(10)))
    plain = ServiceParams(duration_min=45, slot_interval_min=15, horizon_days=56)
    buffered = ServiceParams(
        duration_min=45, slot_interval_min=15, buffer_after_min=15, horizon_days=56
    )
    pro = WorkerSchedule(1, rules)
    assert t3_at([pro], at(monday, 8), plain) == 0  # 9.00, 9.45, 10.30
    assert t3_at([pro], at(monday, 8), buffered) == 1  # 9.00, 10.00, then Tuesday


def test_no_third_free_time_within_the_horizon_is_none() -> None:
    service = ServiceParams(duration_min=60, slot_interval_min=60, horizon_days=10)
    monday = date(2025, 3, 3)
    mondays_only = worker(1, (9, 10), days=(0,))
    assert t3_at([mondays_only], at(monday, 8), service) is None


def test_spring_dst_sunday_has_one_hour_less() -> None:
    # 30.3.2025: clocks go from 3.00 to 4.00. Sunday 2–5 wall time is two real hours,
    # so two free hours, and the third free time is on Monday.
    saturday = date(2025, 3, 29)
    pro = WorkerSchedule(1, (WeeklyRule(6, time(2), time(5)), WeeklyRule(0, time(9), time(10))))
    found = times([pro], at(saturday, 20))
    assert [t.start.astimezone(HELSINKI).hour for t in found[:3]] == [2, 4, 9]
    assert t3_at([pro], at(saturday, 20)) == 2


def test_autumn_dst_sunday_has_one_hour_more_and_days_are_local() -> None:
    # 26.10.2025: clocks go from 4.00 back to 3.00. Sunday 0–5 wall time is six real hours.
    saturday = date(2025, 10, 25)
    pro = WorkerSchedule(1, (WeeklyRule(6, time(0), time(5)),))
    query = at(saturday, 20)
    found = times([pro], query)
    sunday = [t for t in found if t.start.astimezone(HELSINKI).date() == date(2025, 10, 26)]
    assert len(sunday) == 6
    assert t3.bookable_count(found, query, query + timedelta(days=2)) == 6
    # The first three are Saturday evening in UTC but Sunday in Helsinki: one day.
    third = t3.third_free_time(found)
    assert third is not None and third.date() == saturday
    assert t3_at([pro], query) == 1


def test_empty_schedule_has_no_t3_and_no_free_times() -> None:
    query = at(date(2025, 3, 3), 8)
    assert t3_at([], query) is None
    assert t3.bookable_count([], query, query + timedelta(days=28)) == 0
