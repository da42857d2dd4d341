"""The schedules behind free times, read from the database as plain values for the pure
computation (``compute``): the service's rules, the standing part of each worker's
schedule (from ``standing``) and the bookings, which are always read afresh."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Integer,
    and_,
    cast,
    extract,
    func,
    or_,
    select,
)

from scheduler.availability import cache as slot_cache
from scheduler.availability import compute, standing
from scheduler.extensions import db
from scheduler.models import (
    Booking,
    BookingStatus,
    Professional,
    Service,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ServiceRules:
    """What decides the free times of a service, as plain values."""

    id: int
    zone: ZoneInfo
    params: compute.ServiceParams
    bookable: bool = True

    @property
    def key(self) -> tuple[object, ...]:
        """Everything here that a cached result depends on."""
        return (self.id, self.zone.key, self.params)


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


# Wider than the load margin of any service the editors allow (8 h + buffers + a day).
VERSION_MARGIN = timedelta(days=2)


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
) -> tuple[list[compute.WorkerSchedule], dict[int, int]]:
    """The schedules of ``ids`` in the range, and per worker until when (epoch
    microseconds) they hold: the first moment a hold they count runs out.

    With ``versions`` (each professional's current ``schedule_version``) the standing part
    of the schedules may come from memory (``scheduler/availability/standing.py``);
    bookings are always read from the database.
    """
    if not ids:
        return [], {}
    zone = rules.zone
    service_id = rules.id
    # Busy times just outside the range still block starts inside it through the buffers.
    margin = load_margin(rules.params)
    lo, hi = range_start - margin, range_end + margin
    lo_us, hi_us = slot_cache.to_us(lo), slot_cache.to_us(hi)
    if versions is None:
        standings = standing.load(ids, lo)
    else:
        standings = standing.standing({pid: versions[pid] for pid in ids}, now, lo)
    busy_starts: dict[int, list[int]] = defaultdict(list)
    busy_ends: dict[int, list[int]] = defaultdict(list)
    per_day: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    valid_until: dict[int, int] = {}
    connection = db.session.connection()
    dialect = connection.dialect.name
    count_per_day = rules.params.max_per_day is not None
    bookings = Booking.__table__.c
    # Thousands of rows per search: plain Core rows with instants as epoch microseconds
    # computed by the database, not ORM objects and datetimes, which cost more than the search.
    booking_rows = connection.execute(
        select(
            bookings.id,
            bookings.professional_id,
            bookings.service_id,
            # The start's local day matters only under a daily limit; spare the work otherwise.
            _epoch_us(bookings.start_at, dialect) if count_per_day else bookings.id,
            _epoch_us(bookings.block_start_at, dialect),
            _epoch_us(bookings.block_end_at, dialect),
            _epoch_us(bookings.hold_expires_at, dialect),
        ).where(
            bookings.professional_id.in_(ids),
            bookings.block_start_at < hi,
            bookings.block_end_at > lo,
            active_booking_clause(now),  # type: ignore[arg-type]
        )
    ).all()
    for (
        booking_id,
        pid,
        booked_service,
        start_us,
        block_start_us,
        block_end_us,
        expiry,
    ) in booking_rows:
        if booking_id == exclude_booking_id:
            continue
        busy_starts[pid].append(block_start_us)
        busy_ends[pid].append(block_end_us)
        if expiry is not None and expiry < valid_until.get(pid, slot_cache.FOREVER):
            valid_until[pid] = expiry
        if count_per_day and booked_service == service_id:
            local = (_EPOCH + timedelta(microseconds=start_us)).astimezone(zone)
            per_day[pid][local.date()] += 1
    schedules = []
    for pid in ids:
        fixed = standings[pid]
        imported_starts, imported_ends = fixed.busy_in(lo_us, hi_us)
        schedules.append(
            compute.WorkerSchedule(
                worker_id=pid,
                rules=fixed.rules_for(service_id),
                openings=fixed.openings_for(service_id, lo_us, hi_us),
                absences=fixed.absences_in(lo_us, hi_us)
                + fixed.closed_in(service_id, lo_us, hi_us),
                busy_starts_us=busy_starts[pid] + imported_starts,
                busy_ends_us=busy_ends[pid] + imported_ends,
                bookings_per_day=dict(per_day[pid]),
            )
        )
    return schedules, {pid: valid_until.get(pid, slot_cache.FOREVER) for pid in ids}


def _epoch_us(column: Any, dialect: str) -> Any:
    """An instant column as whole microseconds since the epoch, computed in SQL."""
    if dialect == "sqlite":
        # SQLite keeps UTC text: "YYYY-MM-DD HH:MM:SS.ffffff".
        seconds = cast(func.strftime("%s", func.substr(column, 1, 19)), Integer)
        return seconds * 1_000_000 + cast(func.substr(column, 21, 6), Integer)
    return cast(extract("epoch", column) * 1_000_000, BigInteger)


def version_window(
    rules: ServiceRules, range_start: datetime, range_end: datetime
) -> tuple[date, date]:
    """The UTC dates whose day counters decide the free times of the range: every date a
    booking loaded for the range can touch (see ``load_worker_schedules``), and at least
    ``VERSION_MARGIN`` around it, so that one window serves every service a search may
    read before it knows the service's lengths."""
    margin = max(load_margin(rules.params), VERSION_MARGIN)
    return (range_start - margin).astimezone(UTC).date(), (range_end + margin).astimezone(
        UTC
    ).date()


def loader(rules: ServiceRules) -> slot_cache.Loader:
    def load(
        versions: Mapping[int, int], range_start: datetime, range_end: datetime, now: datetime
    ) -> tuple[list[compute.WorkerSchedule], dict[int, int]]:
        return load_worker_schedules(
            rules, list(versions), range_start, range_end, now, versions=versions
        )

    return load
