"""The schedules behind free times, read from the database as plain values for the pure
computation (``compute``): the service's rules, the standing part of each worker's
schedule (from ``standing``), and the bookings and imported busy times of the range,
which are always read afresh (thousands of rows: as epoch microseconds computed by the
database, not as datetimes)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Integer,
    and_,
    cast,
    extract,
    func,
    null,
    or_,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import NullType

from scheduler.availability import compute, standing
from scheduler.availability.cache import FOREVER, Loader
from scheduler.extensions import db
from scheduler.kernel import among_sql, local_date, local_instant
from scheduler.models import (
    Booking,
    BookingStatus,
    ExternalBusy,
    Professional,
    Service,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Arrays of numbers taken as the driver reads them: SQLAlchemy's ARRAY would copy each one
# twice more in Python (thousands of arrays in a search that loads hundreds of workers).
_AS_READ = NullType()


@dataclass(frozen=True, slots=True)
class ServiceRules:
    """What decides the free times of a service, as plain values."""

    id: int
    zone: ZoneInfo
    params: compute.ServiceParams
    bookable: bool = True

    @property
    def key(self) -> tuple[object, ...]:
        """Everything here that a cached result depends on, as plain values (a key the
        garbage collector need not follow)."""
        p = self.params
        return (
            self.id,
            self.zone.key,
            p.duration_min,
            p.slot_interval_min,
            p.buffer_before_min,
            p.buffer_after_min,
            p.max_per_day,
        )


class ServiceLengths(Protocol):
    """A service's fields that decide its times (a ``Service``, or a row of its columns)."""

    duration_min: int
    slot_interval_min: int
    buffer_before_min: int
    buffer_after_min: int
    min_notice_min: int
    horizon_days: int
    max_per_worker_per_day: int | None


def service_params(service: ServiceLengths) -> compute.ServiceParams:
    return compute.ServiceParams(
        duration_min=service.duration_min,
        slot_interval_min=service.slot_interval_min,
        buffer_before_min=service.buffer_before_min,
        buffer_after_min=service.buffer_after_min,
        min_notice_min=service.min_notice_min,
        horizon_days=service.horizon_days,
        max_per_day=service.max_per_worker_per_day,
    )


def rules_of(service: Service) -> ServiceRules:
    return ServiceRules(
        service.id, service.organisation.zone, service_params(service), service.bookable
    )


def load_margin(params: compute.ServiceParams) -> timedelta:
    """How far outside a range busy times can still decide starts inside it."""
    return timedelta(
        minutes=params.duration_min + params.buffer_before_min + params.buffer_after_min + 1440
    )


def active_booking_clause(now: datetime) -> object:
    """Bookings that occupy time now: confirmed, or held with a hold that has not run out."""
    return or_(
        Booking.status == BookingStatus.CONFIRMED,
        and_(Booking.status == BookingStatus.HELD, Booking.hold_expires_at > now),
    )


def load_schedules(
    service: Service,
    professionals: Sequence[Professional],
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> list[compute.WorkerSchedule]:
    """Everything that decides the professionals' free times in the range, as plain values."""
    schedules, _valid = load_worker_schedules(
        rules_of(service),
        [p.id for p in professionals],
        range_start,
        range_end,
        now,
        exclude_booking_id,
    )
    return schedules


def load_worker_schedules(
    rules: ServiceRules,
    ids: Sequence[int],
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    exclude_booking_id: int | None = None,
    versions: Mapping[int, int] | None = None,
    connection: Connection | None = None,
) -> tuple[list[compute.WorkerSchedule], dict[int, int]]:
    """The schedules of ``ids`` in the range, and per worker until when (epoch
    microseconds) they hold: the first moment a hold they count runs out.

    With ``versions`` (each professional's current ``schedule_version``) the standing part
    of the schedules may come from memory (``scheduler/availability/standing.py``);
    bookings and imported busy times are always read from the database (on
    ``connection``, by default the session's).
    """
    if not ids:
        return [], {}
    zone = rules.zone
    service_id = rules.id
    # Busy times just outside the range still block starts inside it through the buffers.
    margin = load_margin(rules.params)
    lo, hi = range_start - margin, range_end + margin
    lo_us, hi_us = compute.to_us(lo), compute.to_us(hi)
    if connection is None:
        connection = db.session.connection()
    if versions is None:
        standings = standing.load(ids, lo, connection)
    else:
        standings = standing.standing({pid: versions[pid] for pid in ids}, now, lo, connection)
    count_per_day = rules.params.max_per_day is not None
    read = _busy_arrays if connection.dialect.name == "postgresql" else _busy_rows
    busy = read(
        connection, ids, lo, hi, now, service_id if count_per_day else None, exclude_booking_id
    )
    per_day: dict[int, dict[date, int]] = {}
    if count_per_day:
        days, midnights = _local_days(lo, hi, zone)
        for pid, found in busy.items():
            counts: dict[date, int] = defaultdict(int)
            for start_us in found.service_starts:
                counts[days[bisect_right(midnights, start_us) - 1]] += 1
            per_day[pid] = dict(counts)
    schedules = []
    for pid in ids:
        fixed = standings[pid]
        schedules.append(
            compute.WorkerSchedule(
                worker_id=pid,
                rules=fixed.rules_for(service_id),
                openings=fixed.openings_for(service_id, lo_us, hi_us),
                absences=fixed.absences_in(lo_us, hi_us)
                + fixed.closed_in(service_id, lo_us, hi_us),
                busy_starts_us=busy[pid].starts if pid in busy else (),
                busy_ends_us=busy[pid].ends if pid in busy else (),
                bookings_per_day=per_day.get(pid, {}),
            )
        )
    return schedules, {pid: busy[pid].valid_until if pid in busy else FOREVER for pid in ids}


@dataclass(slots=True)
class _Busy:
    """One worker's busy times (bookings with their buffers, and imported ones) as epoch
    microseconds, the starts of their bookings of the service (under a daily limit), and
    until when they hold (the first moment a hold they count runs out)."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    service_starts: list[int] = field(default_factory=list)
    valid_until: int = FOREVER


def _local_days(lo: datetime, hi: datetime, zone: ZoneInfo) -> tuple[list[date], list[int]]:
    """The local dates around ``[lo, hi)`` and the instants of their midnights."""
    day = local_date(lo, zone) - timedelta(days=1)
    last = local_date(hi, zone) + timedelta(days=1)
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    return days, [compute.to_us(local_instant(day, time(0), zone)) for day in days]


def _booking_filter(
    ids: Sequence[int],
    lo: datetime,
    hi: datetime,
    now: datetime,
    exclude: int | None,
    dialect: str,
) -> list[Any]:
    bookings = Booking.__table__.c
    where = [
        among_sql(bookings.professional_id, ids, dialect),
        bookings.block_start_at < hi,
        bookings.block_end_at > lo,
        active_booking_clause(now),
    ]
    if exclude is not None:
        # A team meeting being moved leaves out its companions' rows too.
        where.append(bookings.id != exclude)
        where.append(or_(bookings.lead_booking_id.is_(None), bookings.lead_booking_id != exclude))
    return where


def _busy_rows(
    connection: Connection,
    ids: Sequence[int],
    lo: datetime,
    hi: datetime,
    now: datetime,
    service_id: int | None,
    exclude: int | None,
) -> dict[int, _Busy]:
    """The busy times read row by row (any database)."""
    dialect = connection.dialect.name
    bookings, imported = Booking.__table__.c, ExternalBusy.__table__.c
    found: dict[int, _Busy] = defaultdict(_Busy)
    # Thousands of rows per search: plain Core rows with instants as epoch microseconds
    # computed by the database, not ORM objects and datetimes.
    for pid, booked_service, start_us, block_start, block_end, expiry in connection.execute(
        select(
            bookings.professional_id,
            bookings.service_id,
            _epoch_us(bookings.start_at, dialect),
            _epoch_us(bookings.block_start_at, dialect),
            _epoch_us(bookings.block_end_at, dialect),
            _epoch_us(bookings.hold_expires_at, dialect),
        ).where(*_booking_filter(ids, lo, hi, now, exclude, dialect))
    ).all():
        busy = found[pid]
        busy.starts.append(block_start)
        busy.ends.append(block_end)
        if expiry is not None and expiry < busy.valid_until:
            busy.valid_until = expiry
        if booked_service == service_id:
            busy.service_starts.append(start_us)
    for pid, start_us, end_us in connection.execute(
        select(
            imported.professional_id,
            _epoch_us(imported.start_at, dialect),
            _epoch_us(imported.end_at, dialect),
        ).where(
            among_sql(imported.professional_id, ids, dialect),
            imported.start_at < hi,
            imported.end_at > lo,
        )
    ).all():
        busy = found[pid]
        busy.starts.append(start_us)
        busy.ends.append(end_us)
    return found


def _busy_arrays(
    connection: Connection,
    ids: Sequence[int],
    lo: datetime,
    hi: datetime,
    now: datetime,
    service_id: int | None,
    exclude: int | None,
) -> dict[int, _Busy]:
    """The busy times as one row per worker with arrays of instants (PostgreSQL): the
    driver reads arrays of numbers without a Python step per busy time, which at a few
    hundred workers is most of the cost of a search that has to load them."""
    bookings, imported = Booking.__table__.c, ExternalBusy.__table__.c
    dialect = connection.dialect.name
    found: dict[int, _Busy] = {}
    service_starts = func.array_agg(_epoch_us(bookings.start_at, dialect), type_=_AS_READ).filter(
        bookings.service_id == (service_id if service_id is not None else -1)
    )
    for pid, starts, ends, expiry, of_service in connection.execute(
        select(
            bookings.professional_id,
            func.array_agg(_epoch_us(bookings.block_start_at, dialect), type_=_AS_READ),
            func.array_agg(_epoch_us(bookings.block_end_at, dialect), type_=_AS_READ),
            func.min(_epoch_us(bookings.hold_expires_at, dialect)),
            service_starts if service_id is not None else null(),
        )
        .where(*_booking_filter(ids, lo, hi, now, exclude, dialect))
        .group_by(bookings.professional_id)
    ).all():
        found[pid] = _Busy(
            starts, ends, of_service or [], FOREVER if expiry is None else int(expiry)
        )
    for pid, starts, ends in connection.execute(
        select(
            imported.professional_id,
            func.array_agg(_epoch_us(imported.start_at, dialect), type_=_AS_READ),
            func.array_agg(_epoch_us(imported.end_at, dialect), type_=_AS_READ),
        )
        .where(
            among_sql(imported.professional_id, ids, dialect),
            imported.start_at < hi,
            imported.end_at > lo,
        )
        .group_by(imported.professional_id)
    ).all():
        busy = found.get(pid)
        if busy is None:
            found[pid] = _Busy(starts, ends)
        else:
            busy.starts += starts
            busy.ends += ends
    return found


def _epoch_us(column: Any, dialect: str) -> Any:
    """An instant column as whole microseconds since the epoch, computed in SQL."""
    if dialect == "sqlite":
        # SQLite keeps UTC text: "YYYY-MM-DD HH:MM:SS.ffffff".
        seconds = cast(func.strftime("%s", func.substr(column, 1, 19)), Integer)
        return seconds * 1_000_000 + cast(func.substr(column, 21, 6), Integer)
    return cast(extract("epoch", column) * 1_000_000, BigInteger)


def loader(rules: ServiceRules, detached: bool = False) -> Loader:
    """The loader of the cache for one service's rules (``versions``: schedule_version
    per professional). ``detached``: on PostgreSQL, read outside the session's
    transaction, in autocommit, like the search's first read
    (``candidates.prepare``): a search that changes nothing then needs no BEGIN and
    COMMIT. Each statement of a transaction at read committed sees its own snapshot
    anyway, and what is read is kept under the versions read before it."""

    def load(
        versions: Mapping[int, int], range_start: datetime, range_end: datetime, now: datetime
    ) -> tuple[list[compute.WorkerSchedule], dict[int, int]]:
        if not detached or db.engine.dialect.name != "postgresql":
            return load_worker_schedules(
                rules, list(versions), range_start, range_end, now, versions=versions
            )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            return load_worker_schedules(
                rules,
                list(versions),
                range_start,
                range_end,
                now,
                versions=versions,
                connection=connection,
            )

    return load
