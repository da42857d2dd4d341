"""Time the pure free-slot computation on a realistic data set; prints JSON.

20 workers, 8 weeks, Europe/Helsinki weekly hours (Mon–Fri about 8–16), absences, extra
openings, 2,000 existing bookings and 5,000 external busy events. Run:

    .venv/bin/python benchmarks/slots_compute.py
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scheduler.availability import (  # noqa: E402
    Interval,
    ServiceParams,
    WeeklyRule,
    WorkerSchedule,
    free_slots,
)

ZONE = ZoneInfo("Europe/Helsinki")
WORKERS = 20
WEEKS = 8
BOOKINGS = 2_000
EXTERNAL_EVENTS = 5_000
# A Monday morning some weeks before the spring DST change, so the change is inside the range.
NOW = datetime(2027, 3, 1, 6, 7, tzinfo=UTC)

Dataset = tuple[ServiceParams, list[WorkerSchedule], ZoneInfo, datetime, datetime, datetime]


def _local(day: date, minute_of_day: int) -> datetime:
    wall = time(minute_of_day // 60, minute_of_day % 60)
    return datetime.combine(day, wall, tzinfo=ZONE).astimezone(UTC)


def _weekly_rules(rng: random.Random, first_day: date) -> list[WeeklyRule]:
    start = rng.choice([7 * 60 + 30, 8 * 60, 8 * 60, 8 * 60 + 30, 9 * 60])
    end = start + rng.choice([7 * 60 + 30, 8 * 60, 8 * 60])
    weekdays = [0, 1, 2, 3, 4]
    if rng.random() < 0.25:
        weekdays.remove(rng.choice(weekdays))
    rules = []
    for weekday in weekdays:
        day_end = end - 60 if weekday == 4 and rng.random() < 0.5 else end
        rules.append(
            WeeklyRule(weekday, time(start // 60, start % 60), time(day_end // 60, day_end % 60))
        )
    if rng.random() < 0.3:
        # Hours that change half-way through the period.
        change = first_day + timedelta(weeks=rng.randint(2, WEEKS - 2))
        later = [WeeklyRule(r.weekday, time(10), time(18), valid_from=change) for r in rules]
        earlier = [
            WeeklyRule(r.weekday, r.start, r.end, valid_to=change - timedelta(days=1))
            for r in rules
        ]
        rules = earlier + later
    return rules


def _working_days(rules: list[WeeklyRule], days: list[date]) -> list[tuple[date, int, int]]:
    """(date, first minute, last minute) of each day the worker has hours."""
    result = []
    for day in days:
        for rule in rules:
            if rule.weekday != day.weekday():
                continue
            if (rule.valid_from and day < rule.valid_from) or (
                rule.valid_to and day > rule.valid_to
            ):
                continue
            result.append(
                (
                    day,
                    rule.start.hour * 60 + rule.start.minute,
                    rule.end.hour * 60 + rule.end.minute,
                )
            )
    return result


def build_dataset(seed: int = 1) -> Dataset:
    """A deterministic data set: (service, workers, zone, now, range_start, range_end)."""
    rng = random.Random(seed)
    service = ServiceParams(
        duration_min=45,
        slot_interval_min=15,
        buffer_before_min=0,
        buffer_after_min=15,
        min_notice_min=120,
        horizon_days=WEEKS * 7,
        max_per_day=6,
    )
    first_day = NOW.astimezone(ZONE).date()
    days = [first_day + timedelta(days=i) for i in range(WEEKS * 7)]
    bookings_left = [BOOKINGS // WORKERS] * WORKERS
    events_left = [EXTERNAL_EVENTS // WORKERS] * WORKERS

    workers = []
    for index in range(WORKERS):
        rules = _weekly_rules(rng, first_day)
        working = _working_days(rules, days)

        absences = []
        vacation = rng.choice(days[7:-7])
        absences.append(Interval(_local(vacation, 0), _local(vacation + timedelta(days=3), 0)))
        for _ in range(rng.randint(1, 3)):
            day, first, last = rng.choice(working)
            absences.append(Interval(_local(day, first), _local(day, first + 4 * 60)))

        openings = []
        for _ in range(rng.randint(0, 3)):
            day, _first, last = rng.choice(working)
            openings.append(Interval(_local(day, last + 60), _local(day, last + 180)))

        bookings = []
        per_day: dict[date, int] = {}
        taken: set[tuple[date, int]] = set()
        while bookings_left[index]:
            day, first, last = rng.choice(working)
            quarter = rng.randrange(first // 15, (last - 45) // 15 + 1)
            # Bookings of one worker do not overlap (45 min + 15 min buffer = 4 quarters).
            if any((day, quarter + q) in taken for q in range(-3, 4)):
                continue
            taken.add((day, quarter))
            start = _local(day, quarter * 15)
            bookings.append(Interval(start, start + timedelta(minutes=45 + 15)))
            per_day[day] = per_day.get(day, 0) + 1
            bookings_left[index] -= 1
        events = []
        while events_left[index]:
            day = rng.choice(days)
            start_minute = rng.randrange(7 * 60, 18 * 60, 5)
            start = _local(day, start_minute)
            events.append(Interval(start, start + timedelta(minutes=rng.randrange(30, 121, 5))))
            events_left[index] -= 1
        # As the caller loads them: each source ordered by start, one after the other.
        busy = sorted(bookings, key=lambda i: i.start) + sorted(events, key=lambda i: i.start)

        workers.append(
            WorkerSchedule(
                worker_id=1000 + index,
                rules=rules,
                openings=openings,
                absences=absences,
                busy=busy,
                bookings_per_day=per_day,
            )
        )
    return service, workers, ZONE, NOW, NOW, NOW + timedelta(weeks=WEEKS)


def measure(runs: int = 200) -> dict[str, float]:
    """Time ``free_slots`` on the data set: median and 95th percentile in milliseconds."""
    service, workers, zone, now, range_start, range_end = build_dataset()
    free_slots(service, workers, zone, now, range_start, range_end)
    timings = []
    for _ in range(runs):
        began = clock.perf_counter()
        free_slots(service, workers, zone, now, range_start, range_end)
        timings.append((clock.perf_counter() - began) * 1000)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return {
        "compute_p50_ms": round(statistics.median(timings), 3),
        "compute_p95_ms": round(cuts[94], 3),
    }


if __name__ == "__main__":
    print(json.dumps(measure()))
