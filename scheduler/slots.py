"""Free times of a service: loads the schedules from the database and hands them,
as plain values, to the pure computation in ``scheduler.availability``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Integer, and_, cast, extract, func, or_, select

from scheduler import availability
from scheduler.extensions import db
from scheduler.models import (
    ACTIVE_STATUSES,
    Absence,
    Booking,
    BookingStatus,
    ExternalBusy,
    ExtraOpening,
    Professional,
    Service,
    WeeklyRule,
)
from scheduler.ops.metrics import timed_slot_search
from scheduler.timeutil import as_utc

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def service_params(service: Service) -> availability.ServiceParams:
    return availability.ServiceParams(
        duration_min=service.duration_min,
        slot_interval_min=service.slot_interval_min,
        buffer_before_min=service.buffer_before_min,
        buffer_after_min=service.buffer_after_min,
        min_notice_min=service.min_notice_min,
        horizon_days=service.horizon_days,
        max_per_day=service.max_per_worker_per_day,
    )


def candidates(
    service: Service, professional_id: int | None = None, language: str | None = None
) -> list[Professional]:
    """The professionals who may take a booking of ``service``: any, a named one, or by language."""
    query = (
        select(Professional)
        .join(Professional.services)
        .where(Service.id == service.id, Professional.active.is_(True))
        .order_by(Professional.id)
    )
    if professional_id is not None:
        query = query.where(Professional.id == professional_id)
    pros = list(db.session.scalars(query))
    if language:
        pros = [p for p in pros if language in (p.languages or [])]
    from scheduler.feeds_policy import withheld_professionals

    withheld = withheld_professionals([p.id for p in pros])
    return [p for p in pros if p.id not in withheld]


def active_booking_clause(now: datetime) -> object:
    """Bookings that occupy time now: confirmed, or held with a hold that has not run out."""
    return or_(
        Booking.status == BookingStatus.CONFIRMED.value,
        and_(Booking.status == BookingStatus.HELD.value, Booking.hold_expires_at > now),
    )


def load_schedules(
    service: Service,
    professionals: Sequence[Professional],
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> list[availability.WorkerSchedule]:
    """Everything that decides the professionals' free times in the range, as plain values."""
    if not professionals:
        return []
    ids = [p.id for p in professionals]
    zone = service.organisation.zone
    # Busy times just outside the range still block starts inside it through the buffers.
    margin = timedelta(
        minutes=service.duration_min + service.buffer_before_min + service.buffer_after_min + 1440
    )
    lo, hi = range_start - margin, range_end + margin

    rules: dict[int, list[availability.WeeklyRule]] = defaultdict(list)
    for rule in db.session.scalars(select(WeeklyRule).where(WeeklyRule.professional_id.in_(ids))):
        if rule.service_ids and service.id not in rule.service_ids:
            continue
        rules[rule.professional_id].append(
            availability.WeeklyRule(
                rule.weekday, rule.start_time, rule.end_time, rule.valid_from, rule.valid_to
            )
        )
    openings: dict[int, list[availability.Interval]] = defaultdict(list)
    for opening in db.session.scalars(
        select(ExtraOpening).where(
            ExtraOpening.professional_id.in_(ids),
            ExtraOpening.start_at < hi,
            ExtraOpening.end_at > lo,
        )
    ):
        if opening.service_ids and service.id not in opening.service_ids:
            continue
        openings[opening.professional_id].append(
            availability.Interval(opening.start_at, opening.end_at)
        )
    absences: dict[int, list[availability.Interval]] = defaultdict(list)
    for absence in db.session.scalars(
        select(Absence).where(
            Absence.professional_id.in_(ids), Absence.start_at < hi, Absence.end_at > lo
        )
    ):
        absences[absence.professional_id].append(
            availability.Interval(absence.start_at, absence.end_at)
        )
    busy_starts: dict[int, list[int]] = defaultdict(list)
    busy_ends: dict[int, list[int]] = defaultdict(list)
    per_day: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    connection = db.session.connection()
    dialect = connection.dialect.name
    count_per_day = service.max_per_worker_per_day is not None
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
        ).where(
            bookings.professional_id.in_(ids),
            bookings.block_start_at < hi,
            bookings.block_end_at > lo,
            active_booking_clause(now),  # type: ignore[arg-type]
        )
    ).all()
    for booking_id, pid, service_id, start_us, block_start_us, block_end_us in booking_rows:
        if booking_id == exclude_booking_id:
            continue
        busy_starts[pid].append(block_start_us)
        busy_ends[pid].append(block_end_us)
        if count_per_day and service_id == service.id:
            local = (_EPOCH + timedelta(microseconds=start_us)).astimezone(zone)
            per_day[pid][local.date()] += 1
    external = ExternalBusy.__table__.c
    for pid, start_us, end_us in connection.execute(
        select(
            external.professional_id,
            _epoch_us(external.start_at, dialect),
            _epoch_us(external.end_at, dialect),
        ).where(
            external.professional_id.in_(ids),
            external.start_at < hi,
            external.end_at > lo,
        )
    ).all():
        busy_starts[pid].append(start_us)
        busy_ends[pid].append(end_us)
    return [
        availability.WorkerSchedule(
            worker_id=pid,
            rules=tuple(rules[pid]),
            openings=tuple(openings[pid]),
            absences=tuple(absences[pid]),
            busy_starts_us=busy_starts[pid],
            busy_ends_us=busy_ends[pid],
            bookings_per_day=dict(per_day[pid]),
        )
        for pid in ids
    ]


def _epoch_us(column: Any, dialect: str) -> Any:
    """An instant column as whole microseconds since the epoch, computed in SQL."""
    if dialect == "sqlite":
        # SQLite keeps UTC text: "YYYY-MM-DD HH:MM:SS.ffffff".
        seconds = cast(func.strftime("%s", func.substr(column, 1, 19)), Integer)
        return seconds * 1_000_000 + cast(func.substr(column, 21, 6), Integer)
    return cast(extract("epoch", column) * 1_000_000, BigInteger)


@timed_slot_search
def find_slots(
    service: Service,
    professionals: Sequence[Professional],
    range_start: datetime,
    range_end: datetime,
    now: datetime,
) -> list[availability.Slot]:
    """Free slots of ``service`` among ``professionals`` with a start in the range."""
    schedules = load_schedules(service, professionals, range_start, range_end, now)
    return availability.free_slots(
        service_params(service),
        schedules,
        service.organisation.zone,
        now,
        as_utc(range_start),
        as_utc(range_end),
    )


def is_free(
    service: Service,
    professional: Professional,
    start: datetime,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> bool:
    """Whether ``professional`` can take ``service`` at ``start`` by the rules of the search."""
    end = start + timedelta(minutes=service.duration_min)
    (schedule,) = load_schedules(service, [professional], start, end, now, exclude_booking_id)
    return availability.is_slot_free(
        service_params(service), schedule, service.organisation.zone, now, start
    )


def bookings_on_day(
    professional_ids: Sequence[int],
    day_start: datetime,
    day_end: datetime,
) -> dict[int, int]:
    """How many active bookings each professional has in a window (to share "any worker" load)."""
    rows = db.session.execute(
        select(Booking.professional_id, func.count())
        .where(
            Booking.professional_id.in_(professional_ids),
            Booking.start_at >= day_start,
            Booking.start_at < day_end,
            Booking.status.in_(ACTIVE_STATUSES),
        )
        .group_by(Booking.professional_id)
    )
    return {pid: count for pid, count in rows}
