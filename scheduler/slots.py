"""Free times of a service: loads the schedules from the database and hands them,
as plain values, to the pure computation in ``scheduler.availability``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select

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
from scheduler.timeutil import as_utc, local_date


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
            ExtraOpening.professional_id.in_(ids), ExtraOpening.start_at < hi,
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
    busy: dict[int, list[availability.Interval]] = defaultdict(list)
    per_day: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    booking_rows = db.session.execute(
        select(
            Booking.id, Booking.professional_id, Booking.service_id, Booking.start_at,
            Booking.block_start_at, Booking.block_end_at,
        ).where(
            Booking.professional_id.in_(ids),
            Booking.block_start_at < hi,
            Booking.block_end_at > lo,
            active_booking_clause(now),  # type: ignore[arg-type]
        )
    )
    for row in booking_rows:
        if row.id == exclude_booking_id:
            continue
        busy[row.professional_id].append(availability.Interval(row.block_start_at, row.block_end_at))
        if row.service_id == service.id:
            per_day[row.professional_id][local_date(row.start_at, zone)] += 1
    for ext in db.session.execute(
        select(ExternalBusy.professional_id, ExternalBusy.start_at, ExternalBusy.end_at).where(
            ExternalBusy.professional_id.in_(ids), ExternalBusy.start_at < hi,
            ExternalBusy.end_at > lo,
        )
    ):
        busy[ext.professional_id].append(availability.Interval(ext.start_at, ext.end_at))
    return [
        availability.WorkerSchedule(
            worker_id=pid,
            rules=tuple(rules[pid]),
            openings=tuple(openings[pid]),
            absences=tuple(absences[pid]),
            busy=tuple(busy[pid]),
            bookings_per_day=dict(per_day[pid]),
        )
        for pid in ids
    ]


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
        service_params(service), schedules, service.organisation.zone, now,
        as_utc(range_start), as_utc(range_end),
    )


def is_free(
    service: Service,
    professional: Professional,
    start: datetime,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> bool:
    """Whether ``professional`` can take ``service`` at ``start``, by the same rules as the search."""
    end = start + timedelta(minutes=service.duration_min)
    (schedule,) = load_schedules(service, [professional], start, end, now, exclude_booking_id)
    return availability.is_slot_free(
        service_params(service), schedule, service.organisation.zone, now, start
    )


def bookings_on_day(professional_ids: Sequence[int], day_start: datetime, day_end: datetime,
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
