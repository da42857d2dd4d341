"""Time helpers: UTC-aware instants, the one overlap test, Finnish formats."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


def now_utc() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; naive values (SQLite gives those back) are taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """The half-open overlap test ``[a_start, a_end)`` ∩ ``[b_start, b_end)`` ≠ ∅."""
    return a_start < b_end and b_start < a_end


def overlaps_sql(a_start: Any, a_end: Any, b_start: Any, b_end: Any) -> Any:
    """The same half-open overlap test as a SQL expression."""
    return (a_start < b_end) & (b_start < a_end)


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time on ``day`` in ``zone``.

    A wall time that does not exist (the skipped hour in March) is read with the
    offset in force before the change; an ambiguous one (October) as its first occurrence.
    """
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The local calendar date of an instant."""
    return as_utc(instant).astimezone(zone).date()


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which the local ``day`` starts and ends."""
    return local_instant(day, time(0), zone), local_instant(day + timedelta(days=1), time(0), zone)
