"""Whether each person takes part: a participant's own answer through their link (they
take part, or they do not, and may change their mind while the meeting is ahead), and the
first client's "cancel" that, with another client still taking part, only means they
leave.

One client leaving does not cancel the meeting for the other, unless the service says so
(``Service.client_leaving_cancels``) or nobody of the family is left. Every professional
of the booking is told when someone says they will not take part, or will after all
(``participant_messages.professionals_told``). Every operation locks the booking, flushes
(never commits) and writes an access-log row naming whose answer it was.
"""

from __future__ import annotations

from scheduler import audit
from scheduler.booking import participant_messages
from scheduler.booking.changes import (
    booking_by_manage_token,
    cancel,
    client_identifiers,
    ensure_family_may_cancel,
    lock,
)
from scheduler.booking.participants import (
    participant_by_token,
    participant_identifiers,
    participants_of,
    target,
)
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc, now_utc
from scheduler.models import (
    Attendance,
    Booking,
    BookingParticipant,
    BookingStatus,
    ParticipantRole,
)


def holder_of(token: str) -> Booking | BookingParticipant:
    """Whose secret link ``token`` is: the first client's (their booking) or a
    participant's own. 404 for neither, 410 once the meeting is over."""
    try:
        return booking_by_manage_token(token)
    except Problem as problem:
        if problem.status != 404:
            raise
    return participant_by_token(token)


def _check_ahead(booking: Booking) -> None:
    if booking.status != BookingStatus.CONFIRMED:
        raise Problem(409, "not_changeable", "This booking is already cancelled or closed.")
    if as_utc(booking.start_at) <= now_utc():
        raise Problem(409, "already_started", "This appointment has already started.")


def answer(participant: BookingParticipant, attending: bool) -> BookingParticipant:
    """A participant's own answer through their link: they take part, or they do not. A
    participant who declined may take part after all while the meeting is ahead.

    A client who declines leaves the meeting to the others, unless the service says that
    one client leaving cancels it, or no client is left: then it is cancelled and
    everyone is told. Otherwise the booking's professionals are told of the answer.
    """
    booking = lock(participant.booking)
    _check_ahead(booking)
    wanted = Attendance.CONFIRMED if attending else Attendance.DECLINED
    if participant.attendance == wanted:
        return participant
    rejoins = participant.attendance == Attendance.DECLINED
    participant.attendance = wanted
    db.session.flush()
    audit.record(
        booking.organisation_id,
        f"participant.{wanted.value}",
        target(participant),
        participant_identifiers(participant),
    )
    subject, own = f"p{participant.id}", participant.professional_id
    if wanted == Attendance.DECLINED:
        participant_messages.declined(participant)
        if participant.role == ParticipantRole.CLIENT and (
            booking.service.client_leaving_cancels or not _clients_staying(booking)
        ):
            cancel(booking, by="client")
            return participant
        participant_messages.professionals_told(
            booking, "declined", participant.role, subject, exclude=own
        )
    elif rejoins:
        participant_messages.rejoined(participant)
        participant_messages.professionals_told(
            booking, "rejoined", participant.role, subject, exclude=own
        )
    return participant


def _clients_staying(booking: Booking) -> bool:
    """Whether a client still takes part: the first (not left) or another (not declined)."""
    if booking.client_left_at is None:
        return True
    return any(
        p.role == ParticipantRole.CLIENT and p.attendance != Attendance.DECLINED
        for p in participants_of(booking)
    )


def leaving_keeps_meeting(booking: Booking) -> bool:
    """Whether the first client's "cancel" leaves the meeting to another client."""
    return not booking.service.client_leaving_cancels and any(
        p.role == ParticipantRole.CLIENT and p.attendance != Attendance.DECLINED
        for p in participants_of(booking)
    )


def client_leaves(booking: Booking, reason: str | None = None) -> bool:
    """The first client's "cancel" through their own link. With another client still
    taking part, and a service that does not say otherwise, only the first client leaves:
    their reminders stop, the booking's professionals are told and the meeting goes on.
    Otherwise the booking is cancelled and everyone told. Returns True when the booking
    was cancelled."""
    lock(booking)
    if booking.client_left_at is not None and booking.status == BookingStatus.CONFIRMED:
        return False  # the same answer sent twice
    if not leaving_keeps_meeting(booking):
        ensure_family_may_cancel(booking)
        cancel(booking, "client", reason)
        return True
    _check_ahead(booking)
    booking.client_left_at = now_utc()
    booking.updated_at = booking.client_left_at
    db.session.flush()
    audit.record(
        booking.organisation_id,
        "booking.client_left",
        f"booking:{booking.id}",
        client_identifiers(booking),
    )
    participant_messages.first_client_left(booking)
    participant_messages.professionals_told(booking, "declined", ParticipantRole.CLIENT, "client")
    return False


def client_rejoins(booking: Booking) -> None:
    """The first client, who said they will not take part, takes part after all (through
    their own link, while the meeting is ahead): their reminders again, and the booking's
    professionals are told. Refused (409) once the booking is cancelled or has started."""
    lock(booking)
    _check_ahead(booking)
    if booking.client_left_at is None:
        return  # the same answer sent twice
    booking.client_left_at = None
    booking.updated_at = now_utc()
    db.session.flush()
    audit.record(
        booking.organisation_id,
        "booking.client_rejoined",
        f"booking:{booking.id}",
        client_identifiers(booking),
    )
    participant_messages.first_client_rejoined(booking)
    participant_messages.professionals_told(booking, "rejoined", ParticipantRole.CLIENT, "client")
