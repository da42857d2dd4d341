"""Shared basics of the core that ``notifications/`` and ``video/`` may import too: UTC-aware
instants and their column type, the one half-open overlap test (Python and SQL), local
wall-clock time, version counters, the error a client can act on (``Problem``) and the one
rule for CSV cells that a spreadsheet must not run as formulas."""

from __future__ import annotations

import enum
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Enum, Integer, any_, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

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


def among_sql(column: Any, ids: Sequence[int], dialect: str) -> Any:
    """``column IN ids``; on PostgreSQL as ``= ANY(array)``: one parameter instead of
    hundreds for the driver to write into the statement on every run."""
    if dialect == "postgresql":
        return column == any_(literal(list(ids), ARRAY(Integer)))
    return column.in_(list(ids))


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


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: stored as ``timestamptz`` on PostgreSQL, as UTC text on SQLite.

    Refuses naive datetimes on the way in and always gives UTC-aware values back.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for an instant column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(kind: type[enum.StrEnum], length: int = 16) -> Enum:
    """The column type of a status-like enum: stored as its values in a plain string column
    (the table's CHECK constraint names them), read back as members of ``kind``."""
    return Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


def random_version() -> int:
    """A starting value for a version counter that a reused id cannot repeat by accident."""
    return secrets.randbelow(1 << 31) + 1


def spreadsheet_safe(text: str) -> str:
    """A CSV cell that a spreadsheet must not take for a formula (it starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe, so it is read as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class Problem(Exception):
    """An error the client can act on: a 4xx status, a machine code and a message."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
