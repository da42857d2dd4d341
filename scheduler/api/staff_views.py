"""The staff API's booking views: book for a family, find a time, read, move or reassign,
cancel, and follow-up series. Each parses (pydantic), checks access with the staff pages'
own rules (``scheduler.staff.access``), calls one operation and renders."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import jsonify
from flask.typing import ResponseReturnValue

from scheduler.api import staff_schemas as s
from scheduler.api.parsing import parse_body, parse_query
from scheduler.api.staff_blueprint import api_limit, bp, current_token
from scheduler.api.views import booking_detail, manage_url, professional_out, second_client
from scheduler.availability.unit_search import find_times
from scheduler.booking import (
    ClientDetails,
    StaffTerms,
    cancel,
    lock,
    reschedule,
    series,
    staff_may_cancel,
)
from scheduler.booking.contact import normalise_phone
from scheduler.booking.for_family import FamilyBooking, book_for_family
from scheduler.booking.intake import validate_answers
from scheduler.extensions import configured_limit, limiter
from scheduler.kernel import Problem, local_date, now_utc
from scheduler.models import Booking
from scheduler.staff.access import (
    booking_or_404,
    not_found,
    professional_or_404,
    reachable_ids,
    unit_services,
)
from scheduler.staff.agenda import log_read

read_limit = configured_limit("RATELIMIT_PAGES")


def staff_booking(booking: Booking) -> s.StaffBookingOut:
    return s.StaffBookingOut(
        **booking_detail(booking).model_dump(),
        series_id=booking.series_id,
        outside_hours=bool(booking.outside_hours),
        identity_check=booking.identity_check,
        booked_by_staff=booking.booked_by_staff_id is not None,
    )


def family_request(data: s.FamilyBookingIn) -> FamilyBooking:
    """The booking asked for, of a worker the token reaches and a service they provide."""
    pro = professional_or_404(data.professional_id)
    service = next(
        (
            x
            for x in pro.services
            if x.id == data.service_id and x.organisation_id == pro.organisation_id
        ),
        None,
    )
    if service is None:
        raise Problem(404, "no_professional", "The worker does not provide this service.")
    answers = validate_answers(service.intake_questions or [], dict(data.intake_answers))
    client = ClientDetails(
        name=data.client.name.strip(),
        email=data.client.email,
        phone=normalise_phone(data.client.phone),
        language=data.language,
        intake_answers=answers,
        meeting_language=data.meeting_language,
        second_client=second_client(data.second_client),
    )
    return FamilyBooking(
        service=service,
        professional_id=pro.id,
        start_at=data.start_at,
        meeting_mode=data.meeting_mode,
        client=client,
        send_messages=data.send_messages,
        identity_check=data.identity_check if service.requires_strong_id else None,
        outside_hours=data.outside_hours,
    )


@bp.post("/bookings")
@limiter.limit(api_limit)
def book() -> ResponseReturnValue:
    """Book a time for a family, with its messages or (send_messages false) without."""
    request_ = family_request(parse_body(s.FamilyBookingIn))
    booking, token = book_for_family(request_, current_token().created_by_id)
    body = s.FamilyBookedOut(
        manage_token=token, manage_url=manage_url(token), booking=staff_booking(booking)
    )
    return jsonify(body.model_dump(mode="json")), 201


@bp.get("/bookings/<id:booking_id>")
@limiter.limit(read_limit)
def read_booking(booking_id: int) -> ResponseReturnValue:
    booking = booking_or_404(booking_id, "booking.read")
    log_read(booking, "booking.read")
    return jsonify(staff_booking(booking).model_dump(mode="json"))


@bp.post("/bookings/<id:booking_id>/move")
@limiter.limit(api_limit)
def move_booking(booking_id: int) -> ResponseReturnValue:
    """Move to another time, reassign to another worker who provides the service, or both.
    The family is told with the new time and link."""
    data = parse_body(s.MoveIn)
    booking = booking_or_404(booking_id, "booking.move")
    start = data.start_at or booking.start_at
    reschedule(booking, start, data.professional_id, terms=StaffTerms())
    return jsonify(staff_booking(booking).model_dump(mode="json"))


@bp.post("/bookings/<id:booking_id>/cancel")
@limiter.limit(api_limit)
def cancel_booking(booking_id: int) -> ResponseReturnValue:
    """Cancel a future booking with a reason; the family is told."""
    data = parse_body(s.StaffCancelIn)
    booking = booking_or_404(booking_id, "booking.cancel")
    lock(booking)
    if not staff_may_cancel(booking):
        raise Problem(409, "not_cancellable", "Only a future booking can be cancelled.")
    cancel(booking, by="staff", reason=data.reason.strip())
    return jsonify(staff_booking(booking).model_dump(mode="json"))


@bp.get("/find")
@limiter.limit(read_limit)
def find() -> ResponseReturnValue:
    """Who in the unit can see the family: free times by service, language, mode and part
    of the day, through the families' free-times entry point."""
    query = parse_query(s.FindQuery)
    services = unit_services()
    if query.service_id is not None:
        services = [x for x in services if x.id == query.service_id]
        if not services:
            raise not_found()
    today = local_date(now_utc(), current_token().organisation.zone)
    day = max(query.date or today, today)
    days = 7 if query.span == "week" else 1
    found = find_times(
        services, day, query.part, query.language, query.mode, now_utc(), reachable_ids(), days
    )
    times = [
        s.FoundTime(
            start_at=f.start,
            service_id=f.service.id,
            professional=professional_out(f.professional),
            may_book=f.may_book,
        )
        for f in found
    ]
    body = s.FoundList(from_date=day, to_date=day + timedelta(days=days - 1), times=times)
    return jsonify(body.model_dump(mode="json"))


def _series_starts(data: s.SeriesIn, request_: FamilyBooking) -> list[datetime]:
    zone = request_.service.organisation.zone
    return series.meeting_times(request_.start_at, zone, data.every_weeks, data.count, data.until)


@bp.post("/series/preview")
@limiter.limit(api_limit)
def preview_series() -> ResponseReturnValue:
    """Each meeting of the series and whether it is free; nothing is booked."""
    data = parse_body(s.SeriesIn)
    request_ = family_request(data)
    meetings = series.preview(request_, _series_starts(data, request_))
    body = s.SeriesPreviewOut(
        meetings=[
            s.SeriesMeeting(start_at=m.start, free=m.free, choices=list(m.choices))
            for m in meetings
        ]
    )
    return jsonify(body.model_dump(mode="json"))


@bp.post("/series")
@limiter.limit(api_limit)
def book_series() -> ResponseReturnValue:
    """Book the series' free meetings (the others are skipped and listed); the family is
    told once."""
    data = parse_body(s.SeriesIn)
    request_ = family_request(data)
    starts = _series_starts(data, request_)
    replacements = {r.meeting: r.start_at for r in data.replacements}
    booked, skipped = series.book_series(
        request_, starts, current_token().created_by_id, replacements
    )
    body = s.SeriesBookedOut(
        series_id=booked[0].series_id or "",
        bookings=[staff_booking(b) for b in booked],
        skipped=skipped,
    )
    return jsonify(body.model_dump(mode="json")), 201
