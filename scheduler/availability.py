"""Free appointment times: the pure availability computation.

Plain values in, plain values out; no Flask, no database. The definition:

* A worker's *open time* is the union of the weekly rules, expanded on every local date
  from one day before the local date of the search window's start to one day after the
  local date of its end, and the extra openings. Each wall time is converted with
  ``datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)`` (fold 0: a time skipped in
  spring takes the offset before the change, an ambiguous autumn time is its first
  occurrence). Overlapping or touching intervals merge; empty ones are dropped.
* Candidate starts are ``anchor + k * slot_interval`` (k >= 0), where the anchor is the
  start of each merged open interval, before absences are taken away.
* A start ``s`` is free for a worker when ``[s, s + duration)`` lies inside one merged open
  interval and overlaps no absence; ``[s - buffer_before, s + duration + buffer_after)``
  overlaps no busy interval; ``now + min_notice <= s < now + horizon_days``; the worker has
  fewer than ``max_per_day`` bookings on the local date of ``s`` (when set); and
  ``range_start <= s < range_end``. The search window is the intersection of the last two.

Overlap is the half-open test ``a.start < b.end and b.start < a.end``; an empty absence or
busy interval blocks nothing.

Everything is computed on integer microseconds since the epoch so that no candidate is
compared with every busy interval: each busy interval becomes one forbidden range of
starts, the forbidden ranges are merged once and subtracted from the open ranges, and the
grid points that remain are enumerated directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_US_PER_MIN = 60_000_000
_US_PER_DAY = 86_400_000_000
_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0)


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    """Recurring hours on one weekday, as local wall-clock times in the organisation's zone."""

    weekday: int  # 0 = Monday … 6 = Sunday
    start: time
    end: time  # same day, after start
    valid_from: date | None = None  # inclusive
    valid_to: date | None = None  # inclusive

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, got {self.weekday}")
        if not self.start < self.end:
            raise ValueError("a weekly rule must start before it ends on the same day")


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span ``[start, end)`` of UTC-aware instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "Interval.start")
        _require_aware(self.end, "Interval.end")
        if self.end < self.start:
            raise ValueError("an interval must not end before it starts")


@dataclass(frozen=True, slots=True)
class ServiceParams:
    """The parts of a service that decide when it can be booked (all in minutes or days)."""

    duration_min: int
    slot_interval_min: int
    buffer_before_min: int = 0
    buffer_after_min: int = 0
    min_notice_min: int = 0
    horizon_days: int = 56
    max_per_day: int | None = None  # active bookings of this service per worker per local day

    def __post_init__(self) -> None:
        if self.duration_min <= 0 or self.slot_interval_min <= 0:
            raise ValueError("duration and slot interval must be positive")
        if min(self.buffer_before_min, self.buffer_after_min, self.min_notice_min) < 0:
            raise ValueError("buffers and notice must not be negative")
        if self.horizon_days < 0 or (self.max_per_day is not None and self.max_per_day < 0):
            raise ValueError("horizon and daily limit must not be negative")


@dataclass(frozen=True, slots=True)
class WorkerSchedule:
    """Everything about one worker that the computation needs, filtered to one service."""

    worker_id: int
    rules: Sequence[WeeklyRule]
    openings: Sequence[Interval] = ()
    absences: Sequence[Interval] = ()
    # Existing active bookings (their buffers included) and external calendar busy times.
    busy: Sequence[Interval] = ()
    # Local date -> active bookings of this service on that date.
    bookings_per_day: Mapping[date, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Slot:
    """One bookable start and every worker free at it."""

    start: datetime
    end: datetime
    worker_ids: tuple[int, ...]


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
    _require_aware(now, "now")
    _require_aware(range_start, "range_start")
    _require_aware(range_end, "range_end")
    window = _window(service, _to_us(now), _to_us(range_start), _to_us(range_end))
    if window is None or not workers:
        return []
    clock = _LocalClock(zone)
    days = _local_days(clock, *window)
    step = service.slot_interval_min * _US_PER_MIN

    workers_at: defaultdict[int, list[int]] = defaultdict(list)
    for worker in sorted(workers, key=attrgetter("worker_id")):
        worker_id = worker.worker_id
        for starts in _free_start_ranges(service, worker, clock, days, *window, step):
            for start in starts:
                workers_at[start].append(worker_id)

    duration = timedelta(minutes=service.duration_min)
    slots = []
    for start_us in sorted(workers_at):
        start = _EPOCH + timedelta(microseconds=start_us)
        slots.append(Slot(start, start + duration, tuple(workers_at[start_us])))
    return slots


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
    _require_aware(now, "now")
    _require_aware(start, "start")
    start_us = _to_us(start)
    window = _window(service, _to_us(now), start_us, start_us + 1)
    if window is None:
        return False
    clock = _LocalClock(zone)
    days = _local_days(clock, *window)
    step = service.slot_interval_min * _US_PER_MIN
    return any(
        start_us in starts
        for starts in _free_start_ranges(service, worker, clock, days, *window, step)
    )


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


def _to_us(instant: datetime) -> int:
    """Microseconds since the epoch: exact, unlike the float of ``timestamp()``."""
    return (instant - _EPOCH) // _MICROSECOND


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
            cached = self._cache[key] = _to_us(local.astimezone(UTC))
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


def _local_days(clock: _LocalClock, low: int, high: int) -> list[tuple[date, int]]:
    """(date, weekday) for every local date the rules are expanded on."""
    day = clock.local_date(low) - _ONE_DAY
    last = clock.local_date(high) + _ONE_DAY
    days = []
    while day <= last:
        days.append((day, day.weekday()))
        day += _ONE_DAY
    return days


def _open_intervals(
    worker: WorkerSchedule, clock: _LocalClock, days: list[tuple[date, int]]
) -> list[tuple[int, int]]:
    """The worker's merged open intervals, sorted, as (start, end) microseconds."""
    rules_on: list[list[WeeklyRule]] = [[] for _ in range(7)]
    for rule in worker.rules:
        rules_on[rule.weekday].append(rule)
    spans = []
    for day, weekday in days:
        for rule in rules_on[weekday]:
            if rule.valid_from is not None and day < rule.valid_from:
                continue
            if rule.valid_to is not None and day > rule.valid_to:
                continue
            start = clock.instant(day, rule.start)
            end = clock.instant(day, rule.end)
            # A rule inside the hour skipped in spring converts to an empty span.
            if start < end:
                spans.append((start, end))
    for opening in worker.openings:
        start, end = _to_us(opening.start), _to_us(opening.end)
        if start < end:
            spans.append((start, end))
    return _merge(spans, touching=True)


def _merge(spans: list[tuple[int, int]], *, touching: bool) -> list[tuple[int, int]]:
    """Sort and merge overlapping (and, if asked, touching) half-open spans."""
    spans.sort()
    merged: list[tuple[int, int]] = []
    if not spans:
        return merged
    current_start, current_end = spans[0]
    for start, end in spans:
        if start < current_end or (touching and start == current_end):
            if end > current_end:
                current_end = end
        else:
            merged.append((current_start, current_end))
            current_start, current_end = start, end
    merged.append((current_start, current_end))
    return merged


def _forbidden_starts(
    service: ServiceParams, worker: WorkerSchedule, clock: _LocalClock
) -> list[tuple[int, int]]:
    """Merged half-open ranges of starts that an absence, a busy time or the limit rule out."""
    duration = service.duration_min * _US_PER_MIN
    before = service.buffer_before_min * _US_PER_MIN
    # [s, s+d) overlaps [a, b) iff a - d < s < b; on integer microseconds the open lower
    # bound becomes a closed one a - d + 1.
    after_reach = duration + service.buffer_after_min * _US_PER_MIN - 1
    to_us = _to_us
    spans = []
    for absence in worker.absences:
        start, end = to_us(absence.start), to_us(absence.end)
        if start < end:
            spans.append((start - duration + 1, end))
    for busy in worker.busy:
        start, end = to_us(busy.start), to_us(busy.end)
        if start < end:
            spans.append((start - after_reach, end + before))
    limit = service.max_per_day
    if limit is not None:
        for day in _days_at_limit(worker.bookings_per_day, limit):
            spans.append((clock.instant(day, _MIDNIGHT), clock.instant(day + _ONE_DAY, _MIDNIGHT)))
    return _merge(spans, touching=False)


def _days_at_limit(bookings_per_day: Mapping[date, int], limit: int) -> Iterable[date]:
    return (day for day, count in bookings_per_day.items() if count >= limit)


def _free_start_ranges(
    service: ServiceParams,
    worker: WorkerSchedule,
    clock: _LocalClock,
    days: list[tuple[date, int]],
    low: int,
    high: int,
    step: int,
) -> list[range]:
    """The worker's free starts in ``[low, high)`` as ranges of microseconds."""
    if service.max_per_day == 0:
        return []
    opens = _open_intervals(worker, clock, days)
    if not opens:
        return []
    forbidden = _forbidden_starts(service, worker, clock)
    duration = service.duration_min * _US_PER_MIN
    free: list[range] = []
    skip = 0
    for anchor, open_end in opens:
        # Starts whose appointment fits in this open interval and the window.
        begin = max(anchor, low)
        stop = min(open_end - duration + 1, high)
        if begin >= stop:
            continue
        while skip < len(forbidden) and forbidden[skip][1] <= begin:
            skip += 1
        index = skip
        while begin < stop:
            if index < len(forbidden) and forbidden[index][0] < stop:
                blocked_start, blocked_end = forbidden[index]
                if blocked_start > begin:
                    _append_grid(free, anchor, step, begin, blocked_start)
                begin = max(begin, blocked_end)
                index += 1
            else:
                _append_grid(free, anchor, step, begin, stop)
                break
    return free


def _append_grid(free: list[range], anchor: int, step: int, begin: int, stop: int) -> None:
    """Add the grid points ``anchor + k * step`` that lie in ``[begin, stop)``."""
    first = anchor + -((anchor - begin) // step) * step
    if first < stop:
        free.append(range(first, stop, step))
