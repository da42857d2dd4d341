"""Free times at their exact edges: busy times and absences a microsecond into an
appointment, open time a microsecond too short, and the daily limit's local day with
buffers. Expected starts are literal UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from scheduler.availability import Interval, WeeklyRule, WorkerSchedule, free_slots
from tests.availability.test_availability import HELSINKI, NOW, service

MICROSECOND = timedelta(microseconds=1)
MONDAY = date(2027, 1, 11)  # Helsinki is UTC+2 in January


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def starts(worker: WorkerSchedule, **params: int) -> list[datetime]:
    found = free_slots(
        service(**params), [worker], HELSINKI, NOW, utc(2027, 1, 11), utc(2027, 1, 14)
    )
    return [slot.start for slot in found]


MORNING = [WeeklyRule(0, time(9), time(12))]  # Monday 07:00-10:00 UTC


def test_a_busy_time_one_microsecond_into_an_appointment_blocks_it() -> None:
    busy = Interval(utc(2027, 1, 11, 8) - MICROSECOND, utc(2027, 1, 11, 8))
    worker = WorkerSchedule(1, MORNING, busy=[busy])
    assert starts(worker) == [utc(2027, 1, 11, 8), utc(2027, 1, 11, 9)]


def test_an_absence_one_microsecond_into_an_appointment_blocks_it() -> None:
    absence = Interval(utc(2027, 1, 11, 8) - MICROSECOND, utc(2027, 1, 11, 8))
    worker = WorkerSchedule(1, MORNING, absences=[absence])
    assert starts(worker) == [utc(2027, 1, 11, 8), utc(2027, 1, 11, 9)]


def test_open_time_one_microsecond_too_short_holds_no_appointment() -> None:
    short = Interval(utc(2027, 1, 11, 7), utc(2027, 1, 11, 8) - MICROSECOND)
    enough = Interval(utc(2027, 1, 11, 9), utc(2027, 1, 11, 10))
    assert starts(WorkerSchedule(1, [], openings=[short, enough])) == [utc(2027, 1, 11, 9)]


def test_the_daily_limit_closes_exactly_the_local_day_whatever_the_buffers() -> None:
    tuesday = MONDAY + timedelta(days=1)  # local midnights: 11 Jan 22:00 and 12 Jan 22:00 UTC
    worker = WorkerSchedule(
        1,
        [],
        openings=[
            Interval(utc(2027, 1, 11, 20), utc(2027, 1, 11, 22)),  # Monday 22-24 local
            Interval(utc(2027, 1, 12, 8), utc(2027, 1, 12, 10)),  # Tuesday 10-12 local
            Interval(utc(2027, 1, 12, 22), utc(2027, 1, 13, 0)),  # Wednesday 0-2 local
        ],
        bookings_per_day={tuesday: 1},
    )
    assert starts(worker, max_per_day=1, buffer_before_min=30, buffer_after_min=30) == [
        utc(2027, 1, 11, 20),
        utc(2027, 1, 11, 21),
        utc(2027, 1, 12, 22),
        utc(2027, 1, 12, 23),
    ]
