"""Free slots against a brute-force oracle that walks every minute with datetime objects."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.availability import (
    Interval,
    ServiceParams,
    WeeklyRule,
    WorkerSchedule,
    free_slots,
    free_starts_us,
    is_slot_free,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
MINUTE = timedelta(minutes=1)
ONE_DAY = timedelta(days=1)
# The two changes of 2027 (twice as likely) and an ordinary summer Monday.
SPRING, AUTUMN = date(2027, 3, 28), date(2027, 10, 31)
BASE_DAYS = [SPRING, AUTUMN, SPRING, AUTUMN, date(2027, 6, 14)]
# The instants of those changes: 03:00 EET and 04:00 EEST are both 01:00 UTC.
CLOCK_CHANGES = {
    SPRING: datetime(2027, 3, 28, 1, tzinfo=UTC),
    AUTUMN: datetime(2027, 10, 31, 1, tzinfo=UTC),
}


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(instant: datetime) -> int:
    return (instant - EPOCH) // timedelta(microseconds=1)


def to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def oracle_open_intervals(
    worker: WorkerSchedule, zone: ZoneInfo, first_day: date, last_day: date
) -> list[tuple[datetime, datetime]]:
    """The merged open intervals, straight from the definition."""
    spans = []
    day = first_day
    while day <= last_day:
        for rule in worker.rules:
            if rule.weekday != day.weekday():
                continue
            if rule.valid_from is not None and day < rule.valid_from:
                continue
            if rule.valid_to is not None and day > rule.valid_to:
                continue
            start, end = to_utc(day, rule.start, zone), to_utc(day, rule.end, zone)
            if start < end:
                spans.append((start, end))
        day += ONE_DAY
    spans += [(opening.start, opening.end) for opening in worker.openings]
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def oracle_is_free(
    service: ServiceParams,
    worker: WorkerSchedule,
    zone: ZoneInfo,
    now: datetime,
    opens: list[tuple[datetime, datetime]],
    start: datetime,
) -> bool:
    duration = timedelta(minutes=service.duration_min)
    step = timedelta(minutes=service.slot_interval_min)
    end = start + duration
    on_grid = any(
        anchor <= start and end <= open_end and (start - anchor) % step == timedelta(0)
        for anchor, open_end in opens
    )
    if not on_grid:
        return False
    if any(overlaps(start, end, a.start, a.end) for a in worker.absences):
        return False
    blocked_start = start - timedelta(minutes=service.buffer_before_min)
    blocked_end = end + timedelta(minutes=service.buffer_after_min)
    if any(overlaps(blocked_start, blocked_end, b.start, b.end) for b in worker.busy):
        return False
    if start < now + timedelta(minutes=service.min_notice_min):
        return False
    if start >= now + timedelta(days=service.horizon_days):
        return False
    if service.max_per_day is not None:
        booked = worker.bookings_per_day.get(start.astimezone(zone).date(), 0)
        if booked >= service.max_per_day:
            return False
    return True


def oracle_free_slots(
    service: ServiceParams,
    workers: list[WorkerSchedule],
    zone: ZoneInfo,
    now: datetime,
    range_start: datetime,
    range_end: datetime,
) -> list[tuple[datetime, tuple[int, ...]]]:
    """(start, worker ids) of every free minute of the range, found one minute at a time."""
    low = max(range_start, now + timedelta(minutes=service.min_notice_min))
    high = min(range_end, now + timedelta(days=service.horizon_days))
    if low >= high:
        return []
    first_day = low.astimezone(zone).date() - ONE_DAY
    last_day = high.astimezone(zone).date() + ONE_DAY
    opens = {w.worker_id: oracle_open_intervals(w, zone, first_day, last_day) for w in workers}
    result = []
    minute = range_start
    while minute < range_end:
        free = sorted(
            w.worker_id
            for w in workers
            if oracle_is_free(service, w, zone, now, opens[w.worker_id], minute)
        )
        if free:
            result.append((minute, tuple(free)))
        minute += MINUTE
    return result


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[ServiceParams, list[WorkerSchedule], datetime, datetime, datetime]:
    base = draw(st.sampled_from(BASE_DAYS))
    midnight = to_utc(base, time(0), HELSINKI)
    # Mostly whole quarter hours or five minutes, so that boundaries meet exactly.
    quarters = st.integers(-96, 96).map(lambda q: q * 15)
    length = draw(st.integers(12 * 60, 2 * 1440))
    change = CLOCK_CHANGES.get(base)
    if change is not None and draw(st.sampled_from([True, True, False])):
        # A range the clock change falls inside: the hours around it are where DST bites.
        range_start = (
            change - draw(st.integers(1, length - 1).map(lambda m: m - m % 15 or 1)) * MINUTE
        )
    else:
        range_start = midnight + draw(quarters | st.integers(-1440, 1440)) * MINUTE
    range_end = range_start + length * MINUTE
    # Half the examples are roomy: few absences and busy times, a limit that is not zero,
    # little notice and ``now`` before the range, so that free times are left to compare.
    roomy = draw(st.booleans())
    if roomy:
        now = range_start - draw(st.sampled_from([0, 15, 60, 600])) * MINUTE
    else:
        now = (
            range_start
            + draw(quarters.filter(lambda m: m < 240) | st.integers(-1440, 240)) * MINUTE
        )
    first_day = range_start.astimezone(HELSINKI).date()
    near_days = [first_day + n * ONE_DAY for n in range(3)]
    first_midnight = to_utc(first_day, time(0), HELSINKI)

    def minutes(low: int, high: int) -> int:
        aligned = st.sampled_from([15, 5]).flatmap(
            lambda unit: st.integers(-(-low // unit), high // unit).map(lambda n: n * unit)
        )
        return draw(aligned | st.integers(low, high))

    def day_of(rule: WeeklyRule) -> date:
        return next(day for day in near_days if day.weekday() == rule.weekday)

    def instant(rules: list[WeeklyRule]) -> datetime:
        if rules and draw(st.booleans()):
            # Relative to the start of some weekly hours, so that it lands on their grid.
            hours = draw(st.sampled_from(rules))
            return to_utc(day_of(hours), hours.start, HELSINKI) + minutes(-120, 600) * MINUTE
        return first_midnight + minutes(-600, 3 * 1440) * MINUTE

    def interval(
        rules: list[WeeklyRule], max_length: int = 240, start: datetime | None = None
    ) -> Interval:
        start = instant(rules) if start is None else start
        return Interval(start, start + minutes(0, max_length) * MINUTE)

    def rule() -> WeeklyRule:
        if roomy and draw(st.booleans()):
            # Hours that begin inside the range, on a quarter hour, long enough for a meeting.
            inside = range_start + draw(st.integers(0, length - 60)) * MINUTE
            local_start = inside.astimezone(HELSINKI)
            weekday = local_start.weekday()
            start = min(local_start.hour * 60 + local_start.minute // 15 * 15, 1380)
            end = min(start + minutes(60, 480), 1439)
            return WeeklyRule(weekday, time(start // 60, start % 60), time(end // 60, end % 60))
        weekday = draw(st.sampled_from(near_days)).weekday()
        # Favour the hours around the changes (02:00–05:00).
        start = draw(st.integers(120, 300) | quarters.map(abs) | st.integers(0, 1438)) % 1430
        end = min(start + minutes(5, 600), 1439)
        bounds = st.sampled_from(
            [None, None, None, *(first_day + n * ONE_DAY for n in range(-1, 4))]
        )
        return WeeklyRule(
            weekday,
            time(start // 60, start % 60),
            time(end // 60, end % 60),
            draw(bounds),
            draw(bounds),
        )

    def opening(rules: list[WeeklyRule]) -> Interval:
        if not rules or draw(st.booleans()):
            return interval([], max_length=300)
        # An opening that touches one of the weekly intervals, to exercise the merging.
        touched = draw(st.sampled_from(rules))
        if draw(st.booleans()):
            return interval([], start=to_utc(day_of(touched), touched.end, HELSINKI))
        end = to_utc(day_of(touched), touched.start, HELSINKI)
        return Interval(end - minutes(5, 240) * MINUTE, end)

    service = ServiceParams(
        duration_min=draw(st.sampled_from([5, 15, 20, 30, 45, 60, 90])),
        slot_interval_min=draw(st.sampled_from([5, 10, 15, 20, 30, 45, 60])),
        buffer_before_min=draw(st.sampled_from([0, 0, 5, 15, 30])),
        buffer_after_min=draw(st.sampled_from([0, 0, 10, 15])),
        min_notice_min=draw(st.sampled_from([0, 30] if roomy else [0, 0, 0, 30, 120, 600])),
        horizon_days=draw(st.sampled_from([2, 5] if roomy else [1, 2, 5, 5, 5])),
        max_per_day=draw(st.sampled_from([None, 1, 2, 3] if roomy else [None, None, 0, 1, 2, 3])),
    )
    # Hours several workers share, so that slots with more than one worker come up.
    shared_rules = [rule() for _ in range(draw(st.integers(0 if not roomy else 1, 3)))]
    worker_ids = draw(
        st.sampled_from([1, 2, 2, 3, 3]).flatmap(
            lambda n: st.lists(st.integers(1, 9), min_size=n, max_size=n, unique=True)
        )
    )
    workers = []
    for worker_id in worker_ids:
        shares = draw(st.sampled_from([True, True, True, False]))
        rules = [
            *(shared_rules if shares else []),
            *(rule() for _ in range(draw(st.integers(0 if shares and shared_rules else 1, 3)))),
        ]
        most_absences, most_busy = (1, 2) if roomy else (2, 4)
        workers.append(
            WorkerSchedule(
                worker_id,
                rules=rules,
                openings=[opening(rules) for _ in range(draw(st.integers(0, 2)))],
                absences=[interval(rules) for _ in range(draw(st.integers(0, most_absences)))],
                busy=[interval(rules, 180) for _ in range(draw(st.integers(0, most_busy)))],
                bookings_per_day={
                    day: draw(st.integers(0, 3))
                    for day in draw(st.lists(st.sampled_from(near_days), max_size=3, unique=True))
                },
            )
        )
    return service, workers, now, range_start, range_end


# Fewer under `make mutation`, which runs this test once for every surviving mutant.
EXAMPLES = int(os.environ.get("ETAAIKA_ORACLE_EXAMPLES", "200"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_free_slots_match_the_minute_by_minute_oracle(
    scenario: tuple[ServiceParams, list[WorkerSchedule], datetime, datetime, datetime],
) -> None:
    service, workers, now, range_start, range_end = scenario

    slots = free_slots(service, workers, HELSINKI, now, range_start, range_end)

    expected = oracle_free_slots(service, workers, HELSINKI, now, range_start, range_end)
    assert [(slot.start, slot.worker_ids) for slot in slots] == expected
    duration = timedelta(minutes=service.duration_min)
    assert all(slot.end == slot.start + duration for slot in slots)
    for slot in slots:
        for worker in workers:
            assert is_slot_free(service, worker, HELSINKI, now, slot.start) == (
                worker.worker_id in slot.worker_ids
            )
    # The form the cache keeps (each worker's starts, before the notice and the horizon)
    # gives the oracle's starts once those are applied. Extra openings are left out: an
    # opening may chain open time across days and move the grid's anchor (see its doc).
    low = to_us(now + timedelta(minutes=service.min_notice_min))
    high = to_us(now + timedelta(days=service.horizon_days))
    for worker in workers:
        if worker.openings:
            continue
        cached = free_starts_us(service, worker, HELSINKI, to_us(range_start), to_us(range_end))
        assert cached == sorted(cached)
        assert [start for start in cached if low <= start < high] == [
            to_us(start) for start, ids in expected if worker.worker_id in ids
        ]
