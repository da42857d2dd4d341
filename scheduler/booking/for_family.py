"""A worker books a time for a family: the family's own hold → confirm, with the checks of
a worker (``StaffTerms``), so that the booking gets the same confirmation, reminders, iMIP
invitation, manage link, video link, feeds and access-log rows as one the family made.

What differs is said on the booking and in the access log: who booked it, how the
client's identity was checked in person (for a service that requires strong
identification), and a time outside the worker's weekly hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scheduler import audit
from scheduler.booking.changes import client_identifiers
from scheduler.booking.contact import can_receive_sms
from scheduler.booking.holds import confirm, hold
from scheduler.booking.participants import check_second_client, participants_of
from scheduler.booking.taking import ClientDetails, StaffTerms
from scheduler.kernel import Problem
from scheduler.models import Booking, Service

# How a worker may check a client's identity in person.
IDENTITY_CHECKS = ("id_card", "passport", "driving_licence", "residence_permit", "known")


@dataclass(frozen=True)
class FamilyBooking:
    """What a worker fills in when booking for a family."""

    service: Service
    professional_id: int
    start_at: datetime
    meeting_mode: str
    client: ClientDetails
    send_messages: bool = True
    identity_check: str | None = None
    outside_hours: bool = False


def book_for_family(
    request: FamilyBooking,
    staff_user_id: int,
    series_id: str | None = None,
    confirmation: bool | None = None,
) -> tuple[Booking, str]:
    """Book the time for the family (flushes); returns the booking and its manage token.
    ``series_id`` joins it to a follow-up series; ``confirmation`` overrides whether the
    confirmation goes out (a series announces itself once).

    Refused, changing nothing: a mode the service does not offer, a strong-identification
    service without an identity checked in person, messages to be sent to nothing but a
    landline (no e-mail address, and text messages cannot reach the number), a time that
    is past, beyond the horizon or not free (409), a worker who does not provide the
    service (404), and what ``check_family`` refuses.

    The other parent (``client.second_client``) gets their own invitation, reminders and
    link, as when the first parent names them; the worker is recorded as adding them.
    """
    check_family(request)
    service = request.service
    booking, hold_token = hold(
        service,
        request.start_at,
        professional_id=request.professional_id,
        meeting_mode=request.meeting_mode,
        terms=StaffTerms(outside_hours=request.outside_hours),
    )
    booking.booked_by_staff_id = staff_user_id
    booking.series_id = series_id
    booking, manage_token = confirm(
        hold_token,
        request.client,
        held=booking,
        identity_check=request.identity_check,
        send_confirmation=request.send_messages if confirmation is None else confirmation,
    )
    for participant in participants_of(booking):
        participant.added_by_staff_id = staff_user_id
    target, identifiers = f"booking:{booking.id}", client_identifiers(booking)
    if request.identity_check is not None:
        action = f"identity.checked_in_person.{request.identity_check}"
        audit.record(booking.organisation_id, action, target, identifiers)
    if request.outside_hours:
        audit.record(booking.organisation_id, "booking.outside_hours", target, identifiers)
    return booking, manage_token


def check_family(request: FamilyBooking) -> None:
    """What is refused before any time is held (a 4xx ``Problem``): an unknown way of
    checking the identity, a strong-identification service without one, messages to be
    sent to nothing but a landline, and a second
    client the service does not allow or with the first client's contact details."""
    service = request.service
    if request.identity_check is not None and request.identity_check not in IDENTITY_CHECKS:
        raise Problem(422, "invalid_identity_check", "Choose how the identity was checked.")
    if service.requires_strong_id and request.identity_check is None:
        raise Problem(
            422,
            "identity_check_required",
            "This service requires strong identification: record how you checked the "
            "client's identity in person.",
            {"identity_check": "required"},
        )
    client = request.client
    if request.send_messages and not client.email and not _texts_reach(client.phone):
        raise Problem(
            422,
            "not_mobile",
            "Text messages cannot reach a landline: give an e-mail address or a mobile "
            "number, or send no messages.",
            {"client.phone": "not_mobile"},
        )
    second = client.second_client
    if second is not None:
        check_second_client(service, client.email, client.phone, second.email, second.phone)


def _texts_reach(phone: str | None) -> bool:
    """Whether text messages reach ``phone`` (no number: nothing to refuse here)."""
    return phone is None or can_receive_sms(phone)
