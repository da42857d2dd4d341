"""What happened in one organisation on one local date, per service.

* ``bookings``: bookings confirmed that day (a later move or cancellation does not undo it);
* ``cancelled_by_*``: bookings cancelled that day, by the family (client), by staff, or by
  the service itself (system, also when the canceller was not recorded);
* ``held`` / ``no_shows`` / ``unmarked``: meetings that started that day, marked held,
  marked as did not come, or still not marked either way;
* ``video`` / ``phone``: the same meetings (held + no-shows + unmarked) by how they were met;
* ``feedback_count`` / ``feedback_sum``: feedback given that day; the average is the
  sum divided by the count, so that periods can be averaged correctly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.kernel import day_bounds
from scheduler.models import Booking, BookingStatus, Feedback, Organisation

MEETING_STATUSES = {
    BookingStatus.COMPLETED: "held",
    BookingStatus.NO_SHOW: "no_shows",
    BookingStatus.CONFIRMED: "unmarked",
}
CANCELLERS = {"client": "cancelled_by_client", "staff": "cancelled_by_staff"}


@dataclass
class Activity:
    bookings: int = 0
    cancelled_by_client: int = 0
    cancelled_by_staff: int = 0
    cancelled_by_system: int = 0
    held: int = 0
    no_shows: int = 0
    unmarked: int = 0
    video: int = 0
    phone: int = 0
    feedback_count: int = 0
    feedback_sum: int = 0

    def add(self, other: Activity) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def values(self) -> dict[str, int]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


COLUMNS = [field.name for field in fields(Activity)]
# The counts shown and exported; the feedback sum only serves the average.
COUNTS = tuple(name for name in COLUMNS if name != "feedback_sum")


def organisation_activity(organisation: Organisation, day: date) -> dict[int, Activity]:
    """Activity per service id on the organisation's local ``day`` (services without any
    activity are absent)."""
    start, end = day_bounds(day, organisation.zone)
    org = Booking.organisation_id == organisation.id
    found: defaultdict[int, Activity] = defaultdict(Activity)

    confirmed = db.session.execute(
        select(Booking.service_id, func.count())
        .where(org, Booking.confirmed_at >= start, Booking.confirmed_at < end)
        .group_by(Booking.service_id)
    )
    for service_id, count in confirmed:
        found[service_id].bookings += count

    cancelled = db.session.execute(
        select(Booking.service_id, Booking.cancelled_by, func.count())
        .where(
            org,
            Booking.status == BookingStatus.CANCELLED,
            Booking.cancelled_at >= start,
            Booking.cancelled_at < end,
        )
        .group_by(Booking.service_id, Booking.cancelled_by)
    )
    for service_id, by, count in cancelled:
        name = CANCELLERS.get(by or "", "cancelled_by_system")
        setattr(found[service_id], name, getattr(found[service_id], name) + count)

    meetings = db.session.execute(
        select(Booking.service_id, Booking.status, Booking.meeting_mode, func.count())
        .where(
            org,
            Booking.status.in_(MEETING_STATUSES),
            Booking.start_at >= start,
            Booking.start_at < end,
        )
        .group_by(Booking.service_id, Booking.status, Booking.meeting_mode)
    )
    for service_id, status, mode, count in meetings:
        activity = found[service_id]
        name = MEETING_STATUSES[status]
        setattr(activity, name, getattr(activity, name) + count)
        if mode == "phone":
            activity.phone += count
        else:
            activity.video += count

    feedback = db.session.execute(
        select(Feedback.service_id, func.count(), func.sum(Feedback.rating))
        .where(Feedback.organisation_id == organisation.id, Feedback.received_on == day)
        .group_by(Feedback.service_id)
    )
    for service_id, count, total in feedback:
        found[service_id].feedback_count += count
        found[service_id].feedback_sum += int(total or 0)
    return dict(found)
