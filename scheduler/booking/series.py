"""Follow-up series: a worker books the same weekday and time every week or every other
week, N times or until a date. Each meeting is an ordinary booking (its own reminders and
video link) made by ``book_for_family``; the bookings share a ``series_id``.

Before saving, each meeting is checked as the booking will check it (another booking, an
absence, a closure, the weekly hours). For each one that does not fit the worker skips it
or picks another time among the worker's nearest free times (``Meeting.choices``: that
day and the days around it). The confirmation goes out once, after the last meeting is
booked, and lists every meeting (``series_messages``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.availability import Ask, free_times
from scheduler.booking import series_messages
from scheduler.booking.for_family import FamilyBooking, book_for_family, check_family
from scheduler.booking.taking import StaffTerms, free_for_staff
from scheduler.extensions import db
from scheduler.kernel import Problem, local_date, local_instant, now_utc
from scheduler.models import Booking, Professional

MAX_MEETINGS = 52
NEAR_DAYS = 2  # another time is looked for on the meeting's day and two days either side
MAX_CHOICES = 6  # the nearest ones


@dataclass(frozen=True)
class Meeting:
    start: datetime
    free: bool
    # For a meeting that does not fit: the worker's nearest free times, in time order.
    choices: tuple[datetime, ...] = ()


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
    meetings = []
    for start in starts:
        free = start > now and free_for_staff(service, pro, start, now, terms)
        meetings.append(Meeting(start, free, () if free else nearest_free(request, start, now)))
    return meetings


def nearest_free(request: FamilyBooking, start: datetime, now: datetime) -> tuple[datetime, ...]:
    """The worker's free times nearest to ``start`` (within the weekly hours): on its
    day and ``NEAR_DAYS`` days either side, through the one free-times entry point."""
    zone = request.service.organisation.zone
    day = local_date(start, zone)
    found = free_times(
        Ask(
            request.service.id,
            local_instant(day - timedelta(days=NEAR_DAYS), time(0), zone),
            local_instant(day + timedelta(days=NEAR_DAYS + 1), time(0), zone),
            worker_id=request.professional_id,
            now=now,
            fresh=True,
            online_only=False,
        )
    )
    slots = [slot.start for slot in found.slots()] if found is not None else []
    nearest = sorted(slots, key=lambda slot: (abs(slot - start), slot))[:MAX_CHOICES]
    return tuple(sorted(nearest))


def book_series(
    request: FamilyBooking,
    starts: list[datetime],
    staff_user_id: int,
    replacements: Mapping[int, datetime] | None = None,
) -> tuple[list[Booking], list[datetime]]:
    """Book every meeting that is free, and for one that is not the other time the worker
    picked (``replacements``, by the meeting's index), flushing; returns the bookings and
    the skipped starts. A picked time that is no longer free refuses the whole series
    (409 ``replacement_taken``, with the meeting's index): the worker picks again. Once all
    are booked, the family gets one confirmation that lists every meeting."""
    meetings = preview(request, starts)
    series_id = str(uuid.uuid4())
    booked: list[tuple[Booking, str]] = []
    skipped: list[datetime] = []
    for index, meeting in enumerate(meetings):
        if not meeting.free:
            other = (replacements or {}).get(index)
            if other is None:
                skipped.append(meeting.start)
                continue
            if other not in meeting.choices:  # taken since the preview (or never offered)
                raise _replacement_taken(index)
            booked.append(_book_replacement(request, other, index, staff_user_id, series_id))
            continue
        savepoint = db.session.begin_nested()
        try:
            made = book_for_family(
                replace(request, start_at=meeting.start),
                staff_user_id,
                series_id=series_id,
                confirmation=False,
            )
        except Problem:
            savepoint.rollback()  # taken since the preview
            skipped.append(meeting.start)
            continue
        savepoint.commit()
        booked.append(made)
    if not booked:
        raise Problem(409, "slot_taken", "None of the series' meetings is free.")
    bookings = sorted((booking for booking, _token in booked), key=lambda b: b.start_at)
    if request.send_messages:
        first, token = min(booked, key=lambda made: made[0].start_at)
        series_messages.series_confirmed(first, token, bookings)
    series_messages.series_booked(bookings)
    return bookings, skipped


def _book_replacement(
    request: FamilyBooking, start: datetime, index: int, staff_user_id: int, series_id: str
) -> tuple[Booking, str]:
    """The other time picked for a meeting that did not fit, checked again now (within the
    weekly hours, as the choices offered were)."""
    try:
        return book_for_family(
            replace(request, start_at=start, outside_hours=False),
            staff_user_id,
            series_id=series_id,
            confirmation=False,
        )
    except Problem as problem:
        if problem.status >= 500:
            raise
        raise _replacement_taken(index) from problem


def _replacement_taken(index: int) -> Problem:
    return Problem(
        409,
        "replacement_taken",
        "The other time picked for a meeting is no longer free.",
        {"meeting": str(index)},
    )
