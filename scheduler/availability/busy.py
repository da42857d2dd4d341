"""The busy times behind free times: each professional's bookings (with their buffers) and
the busy times imported from their calendars, as epoch microseconds.

There are thousands of them in a search of a few hundred workers, most of what a search
that has to load them costs. They are read as plain numbers computed by the database (on
PostgreSQL one row per worker with arrays, which the driver reads without a Python step per
busy time) and kept in memory per professional under the professional's ``busy_version``
(``scheduler/availability/versions.py``), which every booking and every change of imported
busy times bumps in its own transaction: saving weekly rules, or a new absence, makes a
search compute again without reading the busy times again.

A kept copy covers the range it was read for and is used for any range inside it. Its busy
times are sorted by start, bookings and imported ones apart, so the part of a narrower range
is cut out with two bisections (the longest of each kind says how far back to look). A copy
that counted a hold is used only until that hold runs out (holds run out without a write).
Numbers are kept in ``array('q')``, which the garbage collector does not visit.
"""

from __future__ import annotations

import functools
from array import array
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import compress, repeat
from operator import eq
from typing import Any, TypeAlias

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    cast,
    extract,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection
from sqlalchemy.types import NullType

from scheduler.availability import cache as slot_cache
from scheduler.availability.cache import FOREVER
from scheduler.availability.compute import to_us
from scheduler.models import Booking, BookingStatus, ExternalBusy

# Arrays of numbers taken as the driver reads them: SQLAlchemy's ARRAY would copy each one
# twice more in Python (thousands of arrays in a search that loads hundreds of workers).
_AS_READ = NullType()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Busy:
    """One worker's busy times in ``[lo, hi)`` (and perhaps a few before it) as epoch
    microseconds, the starts and services of their bookings, and until when this holds
    (the first moment a hold it counts runs out)."""

    starts: Sequence[int]
    ends: Sequence[int]
    booking_starts: Sequence[int] = ()
    booking_services: Sequence[int] = ()
    valid_until: int = FOREVER

    def starts_of(self, service_id: int) -> list[int]:
        """The starts of the worker's bookings of ``service_id``."""
        return list(
            compress(self.booking_starts, map(eq, self.booking_services, repeat(service_id)))
        )


NOTHING = Busy((), ())

# One worker's copy: (lo, hi, booking block starts, ends, the longest block, imported
# starts, ends, the longest imported, booking starts, booking services), all numbers.
_Kept: TypeAlias = "tuple[int, int, array[int], array[int], int, array[int], array[int], int, array[int], array[int]]"  # noqa: E501


def _cut(kept: _Kept, lo: int, hi: int, valid_until: int) -> Busy:
    """The part of a kept copy that can overlap ``[lo, hi)``."""
    _lo, _hi, b_starts, b_ends, b_long, i_starts, i_ends, i_long, starts, services = kept
    b0, b1 = bisect_left(b_starts, lo - b_long), bisect_left(b_starts, hi)
    i0, i1 = bisect_left(i_starts, lo - i_long), bisect_left(i_starts, hi)
    return Busy(
        b_starts[b0:b1] + i_starts[i0:i1],
        b_ends[b0:b1] + i_ends[i0:i1],
        starts,
        services,
        valid_until,
    )


def load(
    connection: Connection,
    ids: Sequence[int],
    lo: datetime,
    hi: datetime,
    now: datetime,
    exclude: int | None = None,
    versions: Mapping[int, int] | None = None,
) -> dict[int, Busy]:
    """The busy times of ``ids`` that overlap ``[lo, hi)``, leaving out the booking
    ``exclude`` (and its companions: a meeting being moved). With ``versions`` (each
    one's current ``busy_version``) they may come from the process's cache, and what is
    read is kept there."""
    lo_us, hi_us, now_us = to_us(lo), to_us(hi), to_us(now)
    if versions is None or exclude is not None:
        # Read for this range: every busy time read overlaps it.
        return {
            pid: _cut(kept, -FOREVER, FOREVER, valid)
            for pid, (valid, kept) in _read(connection, ids, lo, hi, now, exclude).items()
        }
    store = slot_cache.cache().busy
    found: dict[int, Busy] = {}
    missing: list[int] = []
    for pid in ids:
        entry = store.get(pid, versions[pid], now_us)
        if entry is not None and entry[1][0] <= lo_us and entry[1][1] >= hi_us:
            found[pid] = _cut(entry[1], lo_us, hi_us, entry[0])
        else:
            missing.append(pid)
    if missing:
        # A copy of the same busy times for another range grows to cover both, so that
        # searches of two ranges do not read and replace each other's copies in turn.
        low, high = lo_us, hi_us
        for pid in missing:
            entry = store.get(pid, versions[pid], now_us)
            if entry is not None:
                low, high = min(low, entry[1][0]), max(high, entry[1][1])
        read = _read(connection, missing, _instant(low), _instant(high), now, None)
        for pid in missing:
            valid, kept = read.get(pid) or (FOREVER, _empty(low, high))
            store.put(pid, versions[pid], valid, kept)
            found[pid] = _cut(kept, lo_us, hi_us, valid)
    return found


def _instant(instant_us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=instant_us)


def _empty(lo: int, hi: int) -> _Kept:
    return (lo, hi, array("q"), array("q"), 0, array("q"), array("q"), 0, array("q"), array("q"))


def _read(
    connection: Connection,
    ids: Sequence[int],
    lo: datetime,
    hi: datetime,
    now: datetime,
    exclude: int | None,
) -> dict[int, tuple[int, _Kept]]:
    """(valid until, kept copy) per worker with any busy time in the range."""
    if not ids:
        return {}
    lo_us, hi_us = to_us(lo), to_us(hi)
    values = {"ids": list(ids), "lo": lo, "hi": hi, "now": now, "exclude": exclude}
    read = _arrays if connection.dialect.name == "postgresql" else _rows
    found: dict[int, tuple[int, _Kept]] = {}
    for pid, b_starts, b_ends, b_long, expiry, starts, services, i_starts, i_ends, i_long in read(
        connection, values
    ):
        found[pid] = (
            FOREVER if expiry is None else int(expiry),
            (
                lo_us,
                hi_us,
                array("q", b_starts or ()),
                array("q", b_ends or ()),
                int(b_long or 0),
                array("q", i_starts or ()),
                array("q", i_ends or ()),
                int(i_long or 0),
                array("q", starts or ()),
                array("q", services or ()),
            ),
        )
    return found


# Per worker: their bookings' block starts and ends sorted by start, the longest block, the
# first hold expiry, the bookings' starts and services; then their imported busy starts and
# ends sorted by start, and the longest.
_Row: TypeAlias = "tuple[int, Any, Any, Any, Any, Any, Any, Any, Any, Any]"


def _booking_where(dialect: str, excluding: bool) -> list[Any]:
    bookings = Booking.__table__.c
    where = [
        _among(bookings.professional_id, dialect),
        bookings.block_start_at < bindparam("hi"),
        bookings.block_end_at > bindparam("lo"),
        or_(
            bookings.status == BookingStatus.CONFIRMED,
            and_(
                bookings.status == BookingStatus.HELD,
                bookings.hold_expires_at > bindparam("now"),
            ),
        ),
    ]
    if excluding:
        # A team meeting being moved leaves out its companions' rows too.
        exclude: Any = bindparam("exclude")
        where.append(bookings.id != exclude)
        where.append(or_(bookings.lead_booking_id.is_(None), bookings.lead_booking_id != exclude))
    return where


def _imported_where(dialect: str) -> list[Any]:
    imported = ExternalBusy.__table__.c
    return [
        _among(imported.professional_id, dialect),
        imported.start_at < bindparam("hi"),
        imported.end_at > bindparam("lo"),
    ]


def _among(column: Any, dialect: str) -> Any:
    """``column`` among the bound ``ids``: on PostgreSQL one array parameter."""
    if dialect == "postgresql":
        return column == any_(bindparam("ids", type_=ARRAY(Integer)))
    return column.in_(bindparam("ids", expanding=True))


@functools.cache
def _arrays_statement(excluding: bool) -> Select[Any]:
    """PostgreSQL: one row per worker with arrays, bookings and imported busy times in one
    statement (one round trip), made once."""
    bookings, imported = Booking.__table__.c, ExternalBusy.__table__.c
    dialect = "postgresql"
    block_start, block_end = (
        _us(bookings.block_start_at, dialect),
        _us(bookings.block_end_at, dialect),
    )
    order = bookings.block_start_at
    booked = (
        select(
            bookings.professional_id.label("pid"),
            func.array_agg(aggregate_order_by(block_start, order), type_=_AS_READ).label("s"),
            func.array_agg(aggregate_order_by(block_end, order), type_=_AS_READ).label("e"),
            func.max(block_end - block_start).label("longest"),
            func.min(_us(bookings.hold_expires_at, dialect)).label("expiry"),
            func.array_agg(
                aggregate_order_by(_us(bookings.start_at, dialect), order), type_=_AS_READ
            ).label("starts"),
            func.array_agg(aggregate_order_by(bookings.service_id, order), type_=_AS_READ).label(
                "services"
            ),
        )
        .where(*_booking_where(dialect, excluding))
        .group_by(bookings.professional_id)
        .subquery("booked")
    )
    start, end = _us(imported.start_at, dialect), _us(imported.end_at, dialect)
    order = imported.start_at
    outside = (
        select(
            imported.professional_id.label("pid"),
            func.array_agg(aggregate_order_by(start, order), type_=_AS_READ).label("s"),
            func.array_agg(aggregate_order_by(end, order), type_=_AS_READ).label("e"),
            func.max(end - start).label("longest"),
        )
        .where(*_imported_where(dialect))
        .group_by(imported.professional_id)
        .subquery("outside")
    )
    b, i = booked.c, outside.c
    return select(
        func.coalesce(b.pid, i.pid),
        b.s,
        b.e,
        b.longest,
        b.expiry,
        b.starts,
        b.services,
        i.s,
        i.e,
        i.longest,
    ).select_from(booked.join(outside, b.pid == i.pid, full=True))


def _arrays(connection: Connection, values: dict[str, Any]) -> list[_Row]:
    statement = _arrays_statement(values["exclude"] is not None)
    return [tuple(row) for row in connection.execute(statement, values)]


def _rows(connection: Connection, values: dict[str, Any]) -> list[_Row]:
    """Any database: the same as ``_arrays`` from one row per busy time."""
    bookings, imported = Booking.__table__.c, ExternalBusy.__table__.c
    dialect = connection.dialect.name
    rows: dict[int, list[Any]] = {}

    def row(pid: int) -> list[Any]:
        return rows.setdefault(pid, [pid, [], [], 0, None, [], [], [], [], 0])

    block_start, block_end = (
        _us(bookings.block_start_at, dialect),
        _us(bookings.block_end_at, dialect),
    )
    for pid, a, b, start, hold, service in connection.execute(
        select(
            bookings.professional_id,
            block_start,
            block_end,
            _us(bookings.start_at, dialect),
            _us(bookings.hold_expires_at, dialect),
            bookings.service_id,
        )
        .where(*_booking_where(dialect, values["exclude"] is not None))
        .order_by(bookings.block_start_at),
        values,
    ):
        found = row(pid)
        found[1].append(a)
        found[2].append(b)
        found[3] = max(found[3], b - a)
        if hold is not None and (found[4] is None or hold < found[4]):
            found[4] = hold
        found[5].append(start)
        found[6].append(service)
    for pid, a, b in connection.execute(
        select(
            imported.professional_id, _us(imported.start_at, dialect), _us(imported.end_at, dialect)
        )
        .where(*_imported_where(dialect))
        .order_by(imported.start_at),
        values,
    ):
        found = row(pid)
        found[7].append(a)
        found[8].append(b)
        found[9] = max(found[9], b - a)
    return [tuple(found) for found in rows.values()]


def _us(column: Any, dialect: str) -> Any:
    """An instant column as whole microseconds since the epoch, computed in SQL."""
    if dialect == "sqlite":
        # SQLite keeps UTC text: "YYYY-MM-DD HH:MM:SS.ffffff".
        seconds = cast(func.strftime("%s", func.substr(column, 1, 19)), Integer)
        return seconds * 1_000_000 + cast(func.substr(column, 21, 6), Integer)
    return cast(extract("epoch", column) * 1_000_000, BigInteger)
