"""The plain values of the availability computation: weekly rules, intervals, a service's
lengths, one worker's schedule and a free slot. Instants are UTC-aware; weekly hours are
local wall-clock times in the organisation's zone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


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
    # The same instants in microseconds since the epoch. Converting a datetime costs as
    # much as everything else the computation does with an interval, so it is done once,
    # when the interval is made, rather than on every computation that reads it.
    start_us: int = field(init=False, repr=False, compare=False)
    end_us: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        require_aware(self.start, "Interval.start")
        require_aware(self.end, "Interval.end")
        if self.end < self.start:
            raise ValueError("an interval must not end before it starts")
        object.__setattr__(self, "start_us", to_us(self.start))
        object.__setattr__(self, "end_us", to_us(self.end))


START_US = attrgetter("start_us")
END_US = attrgetter("end_us")


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
    # More busy intervals, as microseconds since the epoch in two matching lists: the form
    # a database query can hand over without making thousands of datetime objects.
    busy_starts_us: Sequence[int] = ()
    busy_ends_us: Sequence[int] = ()
    # Local date -> active bookings of this service on that date.
    bookings_per_day: Mapping[date, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.busy_starts_us) != len(self.busy_ends_us):
            raise ValueError("busy_starts_us and busy_ends_us must pair up")


@dataclass(frozen=True, slots=True)
class Slot:
    """One bookable start and every worker free at it."""

    start: datetime
    end: datetime
    worker_ids: tuple[int, ...]


def require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


def to_us(instant: datetime) -> int:
    """Microseconds since the epoch: exact, unlike the float of ``timestamp()``."""
    return (instant - _EPOCH) // _MICROSECOND
