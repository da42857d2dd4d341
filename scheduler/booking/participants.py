"""Participants of a booking beyond its first client: the one entry point to add, remove,
list and find them (their own answers, confirm or decline: ``scheduler.booking.attendance``).

The booking's own ``client_*`` fields stay its first client; everyone added beyond that
is a ``BookingParticipant`` with their own contact details, message language and secret
link (256 bits, only its hash stored; it stops working once the meeting is over, as the
booking's own). Each of them gets their own messages through the outbox
(``scheduler.booking.participant_messages``). Neither client ever sees the other's
contact details: pages, messages and calendar files name a participant by name only.

Every operation flushes, never commits, and writes its access-log rows, each naming the
person whose data was read or changed.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from scheduler import audit
from scheduler.booking import meetings, participant_messages
from scheduler.booking.colleagues import free_colleague_time
from scheduler.booking.contact import normalise_phone
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc, now_utc
from scheduler.models import (
    Attendance,
    Booking,
    BookingParticipant,
    BookingStatus,
    ParticipantRole,
    Service,
    StaffUser,
)
from scheduler.tokens import new_token, token_hash

LANGUAGES = ("fi", "sv", "en")


def participant_identifiers(participant: BookingParticipant) -> list[str | None]:
    """What identifies a participant in the access log."""
    return [participant.email, participant.phone]


def target(participant: BookingParticipant) -> str:
    """The access-log target naming one participant."""
    return f"participant:{participant.id}"


def participants_of(booking: Booking) -> list[BookingParticipant]:
    """The booking's participants still in it (not removed by a worker), oldest first."""
    return list(
        db.session.scalars(
            select(BookingParticipant)
            .where(
                BookingParticipant.booking_id == booking.id,
                BookingParticipant.removed_at.is_(None),
            )
            .order_by(BookingParticipant.id)
        )
    )


def _email(raw: str | None) -> str | None:
    value = (raw or "").strip()
    return value.lower() if value else None


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and (a or "").strip().lower() == (b or "").strip().lower()


def _phone(raw: str | None) -> str | None:
    try:
        return normalise_phone(raw)
    except Problem:
        return raw


def check_second_client(
    service: Service,
    first_email: str | None,
    first_phone: str | None,
    email: str | None,
    phone: str | None,
    has_one: bool = False,
) -> None:
    """A second client needs a service that allows one (and none yet), and contact
    details of their own: a 4xx ``Problem`` otherwise."""
    if not service.allows_second_client:
        raise Problem(
            422,
            "second_client_not_allowed",
            "This service is booked for one client only.",
        )
    if has_one:
        raise Problem(409, "second_client_exists", "The appointment already has a second client.")
    same_email = _same(_email(email), _email(first_email))
    if same_email or _same(_phone(phone), _phone(first_phone)):
        raise Problem(
            422,
            "same_contact_as_first",
            "The second parent needs contact details of their own: these are the first parent's.",
            {"second_email" if same_email else "second_phone": "same"},
        )


def add_participant(
    booking: Booking,
    role: ParticipantRole | str,
    *,
    name: str,
    email: str | None,
    phone: str | None,
    language: str,
    professional_id: int | None = None,
    staff: StaffUser | None = None,
) -> tuple[BookingParticipant, str]:
    """Add one person to a booking; returns them and their secret link token (shown or
    sent once, only its hash kept).

    Raises a 4xx ``Problem`` (nothing saved) for a booking that is over or cancelled, a
    name or contact missing, a phone number that cannot be valid, and for a second client
    the service does not allow or whose contact details are the first client's. The
    new participant is invited at once (messages through the outbox, with their own
    link and video link). A booking being confirmed adds its second client after it is
    confirmed, in the same transaction (``scheduler.booking.holds.confirm``).
    """
    role = ParticipantRole(role)
    if booking.status != BookingStatus.CONFIRMED:
        raise Problem(409, "not_changeable", "This booking is already cancelled or closed.")
    if as_utc(booking.end_at) <= now_utc():
        raise Problem(409, "already_started", "This appointment has already started.")
    name = " ".join((name or "").split())
    if not name or len(name) > 200:
        raise Problem(422, "name_required", "Give the participant's name.", {"name": "required"})
    email = _email(email)
    phone = normalise_phone(phone)
    if email is None and phone is None and role != ParticipantRole.PROFESSIONAL:
        raise Problem(
            422,
            "contact_required",
            "Give an e-mail address or a mobile number, so that the invitation reaches them.",
            {"email": "required"},
        )
    if role == ParticipantRole.CLIENT:
        has_one = any(p.role == ParticipantRole.CLIENT for p in participants_of(booking))
        check_second_client(
            booking.service, booking.client_email, booking.client_phone, email, phone, has_one
        )
    secret = new_token()
    now = now_utc()
    participant = BookingParticipant(
        booking_id=booking.id,
        role=role,
        name=name,
        email=email,
        phone=phone,
        language=language if language in LANGUAGES else "fi",
        attendance=Attendance.INVITED,
        manage_token_hash=token_hash(secret),
        professional_id=professional_id if role == ParticipantRole.PROFESSIONAL else None,
        added_by_staff_id=staff.id if staff is not None else None,
        created_at=now,
    )
    participant.booking = booking
    db.session.add(participant)
    db.session.flush()
    audit.record(
        booking.organisation_id,
        "participant.add",
        target(participant),
        participant_identifiers(participant),
    )
    if booking.status == BookingStatus.CONFIRMED:
        invite(participant, secret)
        if staff is not None:  # a second client given at booking is told with the booking
            participant_messages.staff_told(booking, participant, staff)
    return participant, secret


def invite(participant: BookingParticipant, secret: str) -> None:
    """Give a participant their place in the video room and queue their invitation."""
    booking = participant.booking
    if booking.meeting_mode == "video" and participant.video_participant_id is None:
        participant.video_participant_id = meetings.add_to_room(
            booking, participant.role.value, participant.name or ""
        )
    participant_messages.invited(participant, secret)


def remove_participant(participant: BookingParticipant, *, staff: StaffUser | None = None) -> None:
    """Take someone out of a booking: their link and video link stop working, their
    pending messages are dropped, and they are told."""
    if participant.removed_at is not None:
        return
    booking = participant.booking
    participant.removed_at = now_utc()
    participant.manage_token_hash = None
    if participant.professional_id is not None:
        free_colleague_time(booking, participant.professional_id)
    if participant.video_participant_id is not None:
        meetings.remove_from_room(booking, participant.video_participant_id)
    db.session.flush()
    audit.record(
        booking.organisation_id,
        "participant.remove",
        target(participant),
        participant_identifiers(participant),
    )
    participant_messages.removed(participant)
    participant_messages.staff_told(booking, participant, staff)


_BY_TOKEN = (
    select(BookingParticipant)
    .where(BookingParticipant.manage_token_hash == bindparam("hash"))
    .options(joinedload(BookingParticipant.booking))
)


def participant_by_token(secret: str) -> BookingParticipant:
    """The participant behind a link; 404 for a wrong or withdrawn link, 410 once the
    meeting is over."""
    participant = None
    if secret and len(secret) <= 100:
        participant = db.session.scalar(_BY_TOKEN, {"hash": token_hash(secret)})
    if participant is None or participant.removed_at is not None:
        raise Problem(
            404, "link_not_found", "This link is not valid. Check that it was copied whole."
        )
    booking = participant.booking
    if as_utc(booking.end_at) <= now_utc() or participant.personal_data_removed_at is not None:
        raise Problem(410, "link_expired", "This appointment is over, so the link no longer works.")
    return participant


def viewed(participant: BookingParticipant) -> None:
    """Log that a participant's own page showed their data (their own link)."""
    audit.record(
        participant.booking.organisation_id,
        "participant.view",
        target(participant),
        participant_identifiers(participant),
    )
