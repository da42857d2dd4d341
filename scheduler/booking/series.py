"""Follow-up series: a worker books the same weekday and time every week or every other
week, N times or until a date. Each meeting is an ordinary booking (its own reminders and
video link) made by ``book_for_family``; the bookings share a ``series_id``.

Before saving, each meeting is checked as the booking will check it (another booking, an
absence, a closure, the weekly hours); the worker skips those that do not fit. The
confirmation goes out once, with the first meeting.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scheduler.booking.for_family import FamilyBooking, book_for_family, check_family
from scheduler.booking.taking import StaffTerms, free_for_staff
from scheduler.extensions import db
from scheduler.kernel import Problem, local_date, local_instant, now_utc
from scheduler.models import Booking, Professional

MAX_MEETINGS = 52


@dataclass(frozen=True)
class Meeting:
    start: datetime
    free: bool


def meeting_times(
    first: datetime, zone: ZoneInfo, every_weeks: int, count: int | None, until: date | None
) -> list[datetime]:
    """The starts of the series: the first start's local weekday and wall time (so they
    stay right across a change of clocks), every ``every_weeks`` weeks, ``count`` times or
    until ``until`` (inclusive)."""
    if every_weeks not in (1, 2):
        raise Problem(422, "invalid_repeat", "A series repeats every week or every other week.")
    if (count is None) == (until is None):
        raise Problem(422, "invalid_repeat", "Give either the number of meetings or the last day.")
    day = local_date(first, zone)
    wall = first.astimezone(zone).timetz().replace(tzinfo=None)
    starts: list[datetime] = []
    while len(starts) < (count if count is not None else MAX_MEETINGS + 1):
        if until is not None and day > until:
            break
        starts.append(local_instant(day, wall, zone))
        day += timedelta(weeks=every_weeks)
    if not 2 <= len(starts) <= MAX_MEETINGS:
        raise Problem(422, "invalid_repeat", f"A series has from 2 to {MAX_MEETINGS} meetings.")
    return starts


def preview(request: FamilyBooking, starts: list[datetime]) -> list[Meeting]:
    """Whether each meeting is free, as the booking will check it. A series that crosses
    the service's booking horizon is refused (422), as is what ``check_family`` refuses."""
    check_family(request)
    service = request.service
    now = now_utc()
    horizon = now + timedelta(days=service.horizon_days)
    if starts[-1] >= horizon:
        raise Problem(
            422,
            "series_beyond_horizon",
            "The series goes beyond the service's booking horizon.",
            {"until": "too far ahead"},
        )
    pro = db.session.get(Professional, request.professional_id)
    if pro is None:
        raise Problem(404, "no_professional", "No such worker offers this service.")
    terms = StaffTerms(outside_hours=request.outside_hours)
    return [
        Meeting(start, start > now and free_for_staff(service, pro, start, now, terms))
        for start in starts
    ]


def book_series(
    request: FamilyBooking, starts: list[datetime], staff_user_id: int
) -> tuple[list[Booking], list[datetime]]:
    """Book every meeting that is free (flushes); returns the bookings and the skipped
    starts. The first booking carries the series' one confirmation."""
    meetings = preview(request, starts)
    series_id = str(uuid.uuid4())
    booked: list[Booking] = []
    skipped: list[datetime] = []
    for meeting in meetings:
        if not meeting.free:
            skipped.append(meeting.start)
            continue
        savepoint = db.session.begin_nested()
        try:
            booking, _token = book_for_family(
                replace(request, start_at=meeting.start),
                staff_user_id,
                series_id=series_id,
                confirmation=request.send_messages and not booked,
            )
        except Problem:
            savepoint.rollback()  # taken since the preview
            skipped.append(meeting.start)
            continue
        savepoint.commit()
        booked.append(booking)
    if not booked:
        raise Problem(409, "slot_taken", "None of the series' meetings is free.")
    return booked, skipped
