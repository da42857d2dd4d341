"""Whether existing bookings still lie inside a worker's open hours after a change.

Pure: plain values in and out; the open hours are expanded by the availability
computation itself (``compute.open_time``), so the editor and the search agree. Used by
the availability editor to refuse (or ask to confirm) a change that would leave bookings
outside the hours, or under an absence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from scheduler.availability import compute
from scheduler.kernel import overlaps


@dataclass(frozen=True)
class RuleValue:
    """A weekly rule as edited: local wall-clock times on one weekday."""

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_to: date | None = None
    service_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime
    service_ids: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class BookedTime:
    booking_id: int
    service_id: int
    start: datetime
    end: datetime


def _open_time(
    rules: Sequence[RuleValue],
    openings: Sequence[Span],
    booked: BookedTime,
    zone: ZoneInfo,
) -> list[tuple[int, int]]:
    """The open time around the booking for its service, by the pure computation's own
    expansion of weekly rules (``compute.open_time``)."""
    service_id = booked.service_id
    worker = compute.WorkerSchedule(
        worker_id=0,
        rules=[
            compute.WeeklyRule(r.weekday, r.start, r.end, r.valid_from, r.valid_to)
            for r in rules
            if not r.service_ids or service_id in r.service_ids
        ],
        openings=[
            compute.Interval(o.start, o.end)
            for o in openings
            if not o.service_ids or service_id in o.service_ids
        ],
    )
    return compute.open_time(worker, zone, booked.start, booked.end)


def uncovered(
    bookings: Sequence[BookedTime],
    rules: Sequence[RuleValue],
    openings: Sequence[Span],
    absences: Sequence[Span],
    zone: ZoneInfo,
) -> list[int]:
    """Ids of the bookings that would lie outside the open hours or overlap an absence."""
    orphaned = []
    for booked in bookings:
        start, end = compute.to_us(booked.start), compute.to_us(booked.end)
        spans = _open_time(rules, openings, booked, zone)
        inside = any(s <= start and end <= e for s, e in spans)
        absent = any(overlaps(a.start, a.end, booked.start, booked.end) for a in absences)
        if not inside or absent:
            orphaned.append(booked.booking_id)
    return orphaned
