"""Access figures of one organisation at one query instant: T3, free and booked times.

The free times come from the families' own slot search (``scheduler.availability.free_times``);
how they are counted is defined in ``scheduler.figures.t3``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from scheduler.availability import Ask, free_times
from scheduler.extensions import db
from scheduler.figures import t3
from scheduler.models import Booking, BookingStatus, Organisation, Service

# Free and booked times are counted for the appointments that start within this many
# days of the query instant: four weeks, long enough to cover the usual waiting times of
# social services and short enough to be inside every service's booking horizon.
WINDOW_DAYS = 28


@dataclass(frozen=True)
class Access:
    """The access figures of one service or unit."""

    t3_days: int | None
    free_times: int
    booked_times: int


def service_free_times(service: Service, query_at: datetime) -> list[t3.FreeTime]:
    """The service's free times from ``query_at`` to the end of its booking horizon (at
    least the counting window), as a family searching at ``query_at`` would see them."""
    if not service.bookable:
        return []
    days = max(WINDOW_DAYS, service.horizon_days)
    found = free_times(Ask(service.id, query_at, query_at + timedelta(days=days), now=query_at))
    if found is None:
        return []
    return t3.free_times(found.slots(), found.rules.params)


def booked_counts(organisation_id: int, start: datetime, end: datetime) -> dict[int, int]:
    """Confirmed bookings per service with a start in ``[start, end)``."""
    rows = db.session.execute(
        select(Booking.service_id, func.count())
        .where(
            Booking.organisation_id == organisation_id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.start_at >= start,
            Booking.start_at < end,
        )
        .group_by(Booking.service_id)
    )
    return {service_id: count for service_id, count in rows}


def measure(
    organisation: Organisation, services: list[Service], query_day: date, query_at: datetime
) -> tuple[dict[int, Access], dict[int, Access]]:
    """The access figures per service id and per unit id of the organisation."""
    zone = organisation.zone
    window_end = query_at + timedelta(days=WINDOW_DAYS)
    booked = booked_counts(organisation.id, query_at, window_end)
    by_service: dict[int, Access] = {}
    unit_times: dict[int, list[t3.FreeTime]] = defaultdict(list)
    unit_booked: dict[int, int] = defaultdict(int)
    for service in services:
        times = service_free_times(service, query_at)
        unit_times[service.unit_id].extend(times)
        unit_booked[service.unit_id] += booked.get(service.id, 0)
        by_service[service.id] = Access(
            t3_days=t3.t3_days(times, query_day, zone),
            free_times=t3.bookable_count(times, query_at, window_end),
            booked_times=booked.get(service.id, 0),
        )
    by_unit = {
        unit_id: Access(
            t3_days=t3.t3_days(unit_times[unit_id], query_day, zone),
            free_times=t3.bookable_count(unit_times[unit_id], query_at, window_end),
            booked_times=unit_booked[unit_id],
        )
        for unit_id in {unit.id for unit in organisation.units}
    }
    return by_service, by_unit
