"""Whether existing bookings still lie inside a worker's open hours after a change.

Pure: plain values in and out. Used by the availability editor to refuse (or ask to
confirm) a change that would leave bookings outside the hours, or under an absence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.kernel import local_date, local_instant


@dataclass(frozen=True)
class RuleValue:
    """A weekly rule as edited: local wall-clock times on one weekday."""

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_to: date | None = None
    service_ids: tuple[int, ...] = ()

    def applies(self, day: date, service_id: int) -> bool:
        if self.weekday != day.weekday():
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        if self.valid_to is not None and day > self.valid_to:
            return False
        return not self.service_ids or service_id in self.service_ids


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


def _open_spans(
    rules: Sequence[RuleValue],
    openings: Sequence[Span],
    day: date,
    service_id: int,
    zone: ZoneInfo,
) -> list[tuple[datetime, datetime]]:
    spans = []
    for offset in (-1, 0, 1):
        d = day + timedelta(days=offset)
        for rule in rules:
            if rule.applies(d, service_id):
                spans.append((local_instant(d, rule.start, zone), local_instant(d, rule.end, zone)))
    for opening in openings:
        if not opening.service_ids or service_id in opening.service_ids:
            spans.append((opening.start, opening.end))
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


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
        spans = _open_spans(
            rules, openings, local_date(booked.start, zone), booked.service_id, zone
        )
        inside = any(s <= booked.start and booked.end <= e for s, e in spans)
        absent = any(a.start < booked.end and booked.start < a.end for a in absences)
        if not inside or absent:
            orphaned.append(booked.booking_id)
    return orphaned
