"""Free appointment times: the pure availability computation.

Plain values in, plain values out; no Flask, no database. The definition:

* A worker's *open time* is the union of the weekly rules, expanded on every local date
  from one day before the local date of the search window's start to one day after the
  local date of its end, and the extra openings. Each wall time is converted with
  ``datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)`` (fold 0: a time skipped in
  spring takes the offset before the change, an ambiguous autumn time is its first
  occurrence), so a rule lying wholly in the skipped hour adds nothing. Overlapping or
  touching intervals merge.
* Candidate starts are ``anchor + k * slot_interval`` (k >= 0), where the anchor is the
  start of each merged open interval, before absences are taken away.
* A start ``s`` is free for a worker when ``[s, s + duration)`` lies inside one merged open
  interval and overlaps no absence; ``[s - buffer_before, s + duration + buffer_after)``
  overlaps no busy interval; ``now + min_notice <= s < now + horizon_days``; the worker has
  fewer than ``max_per_day`` bookings on the local date of ``s`` (when set); and
  ``range_start <= s < range_end``. The search window is the intersection of the last two.

Overlap is the half-open test ``a.start < b.end and b.start < a.end``, taken literally (so
an empty busy interval still blocks the starts whose blocked interval strictly contains it).
The search window's dates bound the expansion: open intervals chained across more than a
day by extra openings could anchor their grid differently for different windows.

The computation never compares a candidate with every busy interval. On integer
microseconds since the epoch, each absence, busy interval and full day becomes one range of
starts it rules out; the gaps between those ranges are found with two sorts, intersected
with the open intervals, and the grid points in what remains are enumerated directly.
Datetimes are made only for the starts that are returned. Worker ids are expected to be
unique.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import compress, repeat
from operator import add, attrgetter, lt, sub
from zoneinfo import ZoneInfo

from scheduler.availability.values import (
    END_US,
    START_US,
    Interval,
    ServiceParams,
    Slot,
    WeeklyRule,
    WorkerSchedule,
    require_aware,
    to_us,
)

__all__ = [
    "Interval",
    "ServiceParams",
    "Slot",
    "WeeklyRule",
    "WorkerSchedule",
    "free_slots",
    "free_starts_of",
    "free_starts_us",
    "is_slot_free",
    "open_time",
    "to_us",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US_PER_MIN = 60_000_000
_US_PER_DAY = 86_400_000_000
_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0)
_FAR = 1 << 62  # beyond any instant a datetime can hold, in microseconds


def free_slots(
    service: ServiceParams,
    workers: Sequence[WorkerSchedule],
    zone: ZoneInfo,
    now: datetime,
    range_start: datetime,
    range_end: datetime,
) -> list[Slot]:
    """Every free start in ``[range_start, range_end)`` with the workers free at it.

    One ``Slot`` per distinct start, sorted by start; ``worker_ids`` ascending. Raises
    ``ValueError`` for naive datetimes.
    """
    require_aware(now, "now")
    require_aware(range_start, "range_start")
    require_aware(range_end, "range_end")
    window = _window(service, to_us(now), to_us(range_start), to_us(range_end))
    if window is None or not workers:
        return []
    clock = _LocalClock(zone)
    days_on = _local_days(clock, *window)
    step = service.slot_interval_min * _US_PER_MIN

    workers_at: defaultdict[int, list[int]] = defaultdict(list)
    for worker in sorted(workers, key=attrgetter("worker_id")):
        worker_id = worker.worker_id
        for starts in _free_start_ranges(service, worker, clock, days_on, *window, step):
            for start_us in starts:
                workers_at[start_us].append(worker_id)

    duration = timedelta(minutes=service.duration_min)
    step_delta = timedelta(microseconds=step)
    slots = []
    previous_us, previous = -_FAR, _EPOCH
    for start_us in sorted(workers_at):
        # Most starts follow the previous one by one grid step; adding a ready timedelta
        # is several times cheaper than building the datetime from the epoch.
        if start_us - previous_us == step:
            start = previous + step_delta
        else:
            start = _EPOCH + timedelta(microseconds=start_us)
        slots.append(Slot(start, start + duration, tuple(workers_at[start_us])))
        previous_us, previous = start_us, start
    return slots


def free_starts_us(
    service: ServiceParams,
    worker: WorkerSchedule,
    zone: ZoneInfo,
    range_start_us: int,
    range_end_us: int,
) -> list[int]:
    """The worker's free starts in ``[range_start_us, range_end_us)`` (epoch microseconds,
    sorted), by the rules of ``free_slots`` but without the notice and the horizon, which
    depend on the moment of asking: the form in which free times are cached.

    Filtering the result to ``[now + min_notice, now + horizon)`` gives the starts
    ``free_slots`` finds for this worker, except where extra openings chain open time
    across more than a day (the grid's anchor may then lie before the expanded dates).
    """
    return free_starts_of(service, [worker], zone, range_start_us, range_end_us)[worker.worker_id]


def free_starts_of(
    service: ServiceParams,
    workers: Sequence[WorkerSchedule],
    zone: ZoneInfo,
    range_start_us: int,
    range_end_us: int,
) -> dict[int, list[int]]:
    """``free_starts_us`` of several workers at once: they share the conversions of local
    wall times, as workers of one organisation tend to share their hours."""
    if range_start_us >= range_end_us:
        return {worker.worker_id: [] for worker in workers}
    clock = _LocalClock(zone)
    days_on = _local_days(clock, range_start_us, range_end_us)
    step = service.slot_interval_min * _US_PER_MIN
    found = {}
    # Workers with the same rules (the same objects: ``standing`` makes one per distinct
    # rule) and no openings of their own have the same open time: expanded once.
    shared: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for worker in workers:
        opens = None
        if not worker.openings:
            key = tuple(map(id, worker.rules))
            opens = shared.get(key)
            if opens is None:
                opens = shared[key] = _open_intervals(worker, clock, days_on)
        starts: list[int] = []
        for free in _free_start_ranges(
            service, worker, clock, days_on, range_start_us, range_end_us, step, opens
        ):
            starts.extend(free)
        starts.sort()
        found[worker.worker_id] = starts
    return found


def open_time(
    worker: WorkerSchedule, zone: ZoneInfo, range_start: datetime, range_end: datetime
) -> list[tuple[int, int]]:
    """The worker's merged open intervals around ``[range_start, range_end)`` (epoch
    microseconds, sorted): the weekly rules expanded on the local dates from the day before
    to the day after, and the extra openings, by the rules of ``free_slots``."""
    require_aware(range_start, "range_start")
    require_aware(range_end, "range_end")
    clock = _LocalClock(zone)
    return _open_intervals(worker, clock, _local_days(clock, to_us(range_start), to_us(range_end)))


def is_slot_free(
    service: ServiceParams,
    worker: WorkerSchedule,
    zone: ZoneInfo,
    now: datetime,
    start: datetime,
) -> bool:
    """Whether ``worker`` is free at ``start`` by the same rules as ``free_slots``.

    Used to check a chosen time again when it is booked. Raises ``ValueError`` for naive
    datetimes.
    """
    require_aware(now, "now")
    require_aware(start, "start")
    start_us = to_us(start)
    window = _window(service, to_us(now), start_us, start_us + 1)
    if window is None:
        return False
    clock = _LocalClock(zone)
    days_on = _local_days(clock, *window)
    step = service.slot_interval_min * _US_PER_MIN
    return any(
        start_us in starts
        for starts in _free_start_ranges(service, worker, clock, days_on, *window, step)
    )


class _LocalClock:
    """Local wall time to UTC microseconds in one zone, cached per (date, time).

    Every worker of an organisation tends to have the same hours, so most conversions
    repeat within one computation.
    """

    __slots__ = ("_cache", "zone")

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._cache: dict[tuple[date, time], int] = {}

    def instant(self, day: date, wall: time) -> int:
        key = (day, wall)
        cached = self._cache.get(key)
        if cached is None:
            local = datetime.combine(day, wall, tzinfo=self.zone)
            cached = self._cache[key] = to_us(local.astimezone(UTC))
        return cached

    def local_date(self, instant_us: int) -> date:
        return (_EPOCH + timedelta(microseconds=instant_us)).astimezone(self.zone).date()


def _window(
    service: ServiceParams, now_us: int, range_start_us: int, range_end_us: int
) -> tuple[int, int] | None:
    """The starts allowed by the range, the minimum notice and the horizon, or None."""
    low = max(range_start_us, now_us + service.min_notice_min * _US_PER_MIN)
    high = min(range_end_us, now_us + service.horizon_days * _US_PER_DAY)
    return (low, high) if low < high else None


def _local_days(clock: _LocalClock, low: int, high: int) -> list[list[date]]:
    """The local dates the rules are expanded on, listed per weekday (Monday first)."""
    day = clock.local_date(low) - _ONE_DAY
    last = clock.local_date(high) + _ONE_DAY
    days_on: list[list[date]] = [[] for _ in range(7)]
    while day <= last:
        days_on[day.weekday()].append(day)
        day += _ONE_DAY
    return days_on


def _open_intervals(
    worker: WorkerSchedule, clock: _LocalClock, days_on: list[list[date]]
) -> list[tuple[int, int]]:
    """The worker's merged open intervals, sorted, as (start, end) microseconds."""
    spans = [(opening.start_us, opening.end_us) for opening in worker.openings]
    instant = clock.instant
    for rule in worker.rules:
        valid_from, valid_to = rule.valid_from, rule.valid_to
        for day in days_on[rule.weekday]:
            if (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to):
                start, end = instant(day, rule.start), instant(day, rule.end)
                # A rule inside the hour skipped in spring converts to an empty or reversed span.
                if start < end:
                    spans.append((start, end))
    if not spans:
        return spans
    spans.sort()
    merged = []
    current_start, current_end = spans[0]
    for start, end in spans:
        if start <= current_end:
            if end > current_end:
                current_end = end
        else:
            merged.append((current_start, current_end))
            current_start, current_end = start, end
    merged.append((current_start, current_end))
    return merged


def _free_gaps(
    service: ServiceParams, worker: WorkerSchedule, clock: _LocalClock
) -> tuple[list[int], list[int]]:
    """The gaps between the starts that absences, busy times and the daily limit rule out.

    Returned as two sorted lists of gap starts and gap ends, disjoint and non-empty.
    """
    duration = service.duration_min * _US_PER_MIN
    # The blocked interval [s - before, s + d + after) overlaps busy [a, b) iff
    # a - d - after < s < b + before; on integer microseconds the starts ruled out are
    # [a - reach, b + before) with reach = d + after - 1.
    reach = duration + service.buffer_after_min * _US_PER_MIN - 1
    before = service.buffer_before_min * _US_PER_MIN
    # Bounds are kept as busy bounds (unshifted), the form most of them arrive in; the few
    # other spans are shifted back by the same amounts so that one sort serves all.
    busy = worker.busy
    lows = [*map(START_US, busy), *worker.busy_starts_us]
    highs = [*map(END_US, busy), *worker.busy_ends_us]
    for absence in worker.absences:
        # [s, s + d) overlaps [a, b) iff a - d < s < b: starts [a - d + 1, b).
        lows.append(absence.start_us - duration + 1 + reach)
        highs.append(absence.end_us - before)
    limit = service.max_per_day
    if limit is not None:
        for day, count in worker.bookings_per_day.items():
            if count >= limit:
                lows.append(clock.instant(day, _MIDNIGHT) + reach)
                highs.append(clock.instant(day + _ONE_DAY, _MIDNIGHT) - before)
    # A union of intervals only needs its starts and its ends each sorted on their own:
    # the gap before the k-th smallest start is [(k-1)-th smallest end, k-th smallest
    # start) whenever that is non-empty. Plain integer lists sort far faster than pairs.
    lows.sort()
    highs.sort()
    gap_starts = [-_FAR, *highs]
    gap_ends = [*lows, _FAR]
    keep = list(map(lt, gap_starts, map(sub, gap_ends, repeat(reach + before))))
    return (
        list(map(add, compress(gap_starts, keep), repeat(before))),
        list(map(sub, compress(gap_ends, keep), repeat(reach))),
    )


def _free_start_ranges(
    service: ServiceParams,
    worker: WorkerSchedule,
    clock: _LocalClock,
    days_on: list[list[date]],
    low: int,
    high: int,
    step: int,
    opens: list[tuple[int, int]] | None = None,
) -> list[range]:
    """The worker's free starts in ``[low, high)`` as ranges of microseconds (``opens``:
    the worker's open intervals, when already expanded)."""
    if service.max_per_day == 0:
        return []
    if opens is None:
        opens = _open_intervals(worker, clock, days_on)
    if not opens:
        return []
    gap_starts, gap_ends = _free_gaps(service, worker, clock)
    last_gap = len(gap_ends)
    last_start = service.duration_min * _US_PER_MIN - 1
    free: list[range] = []
    # Conditional expressions instead of min() and max(): this loop is the hot one.
    for anchor, open_end in opens:
        # Starts whose appointment fits in this open interval and in the window.
        begin = anchor if anchor > low else low
        stop = open_end - last_start
        if stop > high:
            stop = high
        if begin >= stop:
            continue
        index = bisect_right(gap_ends, begin)
        while index < last_gap:
            first = gap_starts[index]
            if first >= stop:
                break
            if first < begin:
                first = begin
            # The first grid point at or after `first`: ceiling division.
            first = anchor - ((anchor - first) // step) * step
            end = gap_ends[index]
            if end > stop:
                end = stop
            if first < end:
                free.append(range(first, end, step))
            index += 1
    return free
