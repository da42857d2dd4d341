"""Interpreters: a family's request for one when booking, the open requests a worker sees,
and the flag of a request still open two working days before the meeting.

The interpreter joins as a participant (``scheduler.booking.participants``); adding one
fills the booking's request. The organisation's own list of interpreters is kept by its
administrators (``scheduler.staff.admin_interpreters``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from babel import Locale
from sqlalchemy import Select, delete, select
from sqlalchemy.orm import contains_eager

import notifications
from notifications import Message
from scheduler import audit
from scheduler.availability.holidays import working_days_before
from scheduler.booking.changes import client_identifiers
from scheduler.booking.messages import staff_notices
from scheduler.extensions import db
from scheduler.kernel import Problem, local_date, now_utc
from scheduler.models import Booking, BookingStatus, InterpreterRequest, Service

# The languages an administrator may offer interpreting in (ISO 639), in this order.
INTERPRETER_LANGUAGES = (
    "ar",
    "so",
    "ru",
    "uk",
    "fa",
    "prs",
    "ku",
    "ti",
    "am",
    "tr",
    "vi",
    "th",
    "zh",
    "sq",
    "fr",
    "et",
    "se",
    "smn",
    "sms",
    "en",
    "sv",
    "fi",
)
# A request still open this many working days before the meeting is flagged.
FLAG_WORKING_DAYS = 2


def language_label(code: str, in_language: str) -> str:
    """A language's name in the viewer's language (CLDR), e.g. "somali" for "so" in fi."""
    try:
        name = Locale.parse(in_language).languages.get(code)
    except (ValueError, TypeError):
        name = None
    return name or code


def offered_languages(service: Service) -> list[str]:
    """The interpreter languages a family may ask for on ``service`` (none: no asking)."""
    return [code for code in service.interpreter_languages or [] if code]


def checked_language(service: Service, language: str | None) -> str | None:
    """The interpreter language asked for, checked against the service; None for none.

    An interpreter request on a service that offers none, or in a language it does not
    offer, is refused (422) before anything is changed."""
    if not language:
        return None
    offered = offered_languages(service)
    if not offered:
        raise Problem(
            422,
            "interpreter_not_offered",
            "This service does not arrange interpreters.",
            {"interpreter_language": "not offered"},
        )
    if language not in offered:
        raise Problem(
            422,
            "interpreter_language_not_offered",
            "An interpreter of that language is not offered.",
            {"interpreter_language": "not offered"},
        )
    return language


def record_request(booking: Booking, language: str | None) -> InterpreterRequest | None:
    """Keep the family's interpreter request of a booking being confirmed (flushes)."""
    language = checked_language(booking.service, language)
    if language is None:
        return None
    request = InterpreterRequest(
        booking_id=booking.id,
        organisation_id=booking.organisation_id,
        language=language,
        requested_at=now_utc(),
    )
    db.session.add(request)
    db.session.flush()
    return request


def request_of(booking: Booking) -> InterpreterRequest | None:
    """The booking's interpreter request, open or filled."""
    return db.session.scalar(
        select(InterpreterRequest).where(InterpreterRequest.booking_id == booking.id)
    )


def requests_of(bookings: Iterable[Booking]) -> dict[int, InterpreterRequest]:
    """The interpreter requests of these bookings, by booking id (one query)."""
    ids = [b.id for b in bookings]
    if not ids:
        return {}
    found = db.session.scalars(
        select(InterpreterRequest).where(InterpreterRequest.booking_id.in_(ids))
    )
    return {r.booking_id: r for r in found}


def flag_date(booking: Booking) -> date:
    """The local date from which an open request of ``booking`` is flagged: two working
    days before the meeting's date (weekends and public holidays do not count)."""
    organisation = booking.organisation
    day = local_date(booking.start_at, organisation.zone)
    return working_days_before(day, FLAG_WORKING_DAYS, organisation.holiday_region)


def is_late(request: InterpreterRequest, today: date | None = None) -> bool:
    """An open request of a coming meeting that is due to be flagged by ``today``."""
    booking = request.booking
    if not request.is_open or booking.status != BookingStatus.CONFIRMED:
        return False
    if booking.start_at <= now_utc():
        return False
    today = today or local_date(now_utc(), booking.organisation.zone)
    return today >= flag_date(booking)


def _open_query() -> Select[InterpreterRequest]:
    return (
        select(InterpreterRequest)
        .join(InterpreterRequest.booking)
        .options(contains_eager(InterpreterRequest.booking))
        .where(
            InterpreterRequest.filled_at.is_(None),
            Booking.status == BookingStatus.CONFIRMED,
            Booking.start_at > now_utc(),
        )
        .order_by(Booking.start_at, InterpreterRequest.id)
    )


def open_requests(
    organisation_id: int, professional_ids: Iterable[int]
) -> list[InterpreterRequest]:
    """The open requests of the coming bookings of these professionals, soonest first;
    an access-log row for each booking shown (the request is the family's data)."""
    requests = list(
        db.session.scalars(
            _open_query().where(
                InterpreterRequest.organisation_id == organisation_id,
                Booking.professional_id.in_(list(professional_ids)),
            )
        )
    )
    for request in requests:
        _log(request.booking, "interpreter_request.read")
    return requests


def mark_filled(booking: Booking) -> None:
    """An interpreter was added: the booking's request (if any) is no longer open."""
    request = request_of(booking)
    if request is not None and request.filled_at is None:
        request.filled_at = now_utc()
        db.session.flush()


def mark_open_again(booking: Booking) -> None:
    """The booking's interpreter was removed: its request is open again (and may be
    flagged again)."""
    request = request_of(booking)
    if request is not None and request.filled_at is not None:
        request.filled_at = None
        request.flagged_at = None
        db.session.flush()


def forget_requests(booking_ids: list[int]) -> None:
    """Remove the interpreter requests of these bookings (the retention rule): one DELETE."""
    if booking_ids:
        db.session.execute(
            delete(InterpreterRequest).where(InterpreterRequest.booking_id.in_(booking_ids)),
            execution_options={"synchronize_session": "fetch"},
        )


def flag_late_requests() -> int:
    """Periodic job: tell the worker of each request still open two working days before
    its meeting (once); the agenda shows the flag by itself. Safe to run twice."""
    query = (
        _open_query()
        .where(InterpreterRequest.flagged_at.is_(None))
        .with_for_update(skip_locked=True, of=InterpreterRequest)
    )
    told = 0
    messages: list[Message] = []
    for request in db.session.scalars(query):
        if not is_late(request):
            continue
        request.flagged_at = now_utc()
        messages += _late_notice(request.booking)
        _log(request.booking, "interpreter_request.flag")
        told += 1
    notifications.enqueue_many(messages)
    db.session.flush()
    return told


def _late_notice(booking: Booking) -> list[Message]:
    return staff_notices(booking, "interpreter_open", always=True)


def _log(booking: Booking, action: str) -> None:
    if booking.personal_data_removed_at is None:
        audit.record(
            booking.organisation_id,
            action,
            f"booking:{booking.id}",
            client_identifiers(booking),
        )


@dataclass(frozen=True)
class InterpreterNeed:
    """What the agenda says of a booking's interpreter request."""

    language: str  # its name in the viewer's language
    open: bool  # no interpreter added yet
    late: bool  # still open two working days (or less) before the meeting


def needs(bookings: Iterable[Booking], in_language: str) -> dict[int, InterpreterNeed]:
    """The interpreter requests of these bookings as the agenda shows them, by booking."""
    found = requests_of(bookings)
    return {
        booking_id: InterpreterNeed(
            language_label(request.language, in_language), request.is_open, is_late(request)
        )
        for booking_id, request in found.items()
    }
