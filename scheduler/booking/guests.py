"""Adding people to a booking later, and taking them out: an interpreter (from the
organisation's list or by contact details), a colleague (only when free, or with the
outside-hours override), a guest from outside. Each added person is invited with a link
of their own (``scheduler.booking.participants``); the family is told who takes part.

Every operation flushes, never commits; refused input is a 4xx ``Problem`` raised before
anything is changed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select

import notifications
from notifications import Message, TakingPartNotice
from scheduler.booking import interpreters, messages, team
from scheduler.booking.changes import lock
from scheduler.booking.colleagues import take_colleague_time
from scheduler.booking.participants import add_participant, participants_of, remove_participant
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc, now_utc
from scheduler.models import (
    Booking,
    BookingParticipant,
    BookingStatus,
    Interpreter,
    ParticipantRole,
    Professional,
    StaffUser,
)

MESSAGE_LANGUAGES = ("fi", "sv", "en")


def _changeable(booking: Booking) -> None:
    if booking.status != BookingStatus.CONFIRMED:
        raise Problem(409, "not_changeable", "This booking is already cancelled or closed.")
    if as_utc(booking.end_at) <= now_utc():
        raise Problem(409, "already_started", "This appointment is already over.")


def listed_interpreters(organisation_id: int) -> list[Interpreter]:
    """The organisation's interpreters in use, by name."""
    return list(
        db.session.scalars(
            select(Interpreter)
            .where(Interpreter.organisation_id == organisation_id, Interpreter.active.is_(True))
            .order_by(Interpreter.name, Interpreter.id)
        )
    )


def add_interpreter(
    booking: Booking,
    staff: StaffUser,
    *,
    interpreter_id: int | None = None,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    language: str = "fi",
) -> BookingParticipant:
    """Add an interpreter: one of the organisation's list (``interpreter_id``) or someone
    given by contact details. Fills the family's interpreter request."""
    lock(booking)
    _changeable(booking)
    if interpreter_id is not None:
        listed = db.session.get(Interpreter, interpreter_id)
        if listed is None or listed.organisation_id != booking.organisation_id or not listed.active:
            raise Problem(
                422,
                "interpreter_not_found",
                "Choose an interpreter of the list.",
                {"interpreter_id": "unknown"},
            )
        name, email, phone = listed.name, listed.email, listed.phone
    if any(p.role == ParticipantRole.INTERPRETER for p in participants_of(booking)):
        raise Problem(409, "interpreter_exists", "The meeting already has an interpreter.")
    participant, _secret = add_participant(
        booking,
        ParticipantRole.INTERPRETER,
        name=name or "",
        email=email,
        phone=phone,
        language=language if language in MESSAGE_LANGUAGES else "fi",
        staff=staff,
    )
    interpreters.mark_filled(booking)
    tell_family(booking)
    return participant


def add_colleague(
    booking: Booking, staff: StaffUser, professional_id: int, outside_hours: bool = False
) -> BookingParticipant:
    """Add a colleague of the organisation, if free at the meeting's time (the re-check
    under their lock that every booking goes through); with ``outside_hours`` their weekly
    hours do not bind (absences, closures and their bookings still do). Their time is
    taken for the meeting (``scheduler.booking.colleagues``)."""
    booking = team.lead_of(booking)
    lock(booking)
    _changeable(booking)
    pro = db.session.get(Professional, professional_id)
    if pro is None or pro.organisation_id != booking.organisation_id or not pro.active:
        raise Problem(
            422,
            "colleague_not_found",
            "Choose a colleague of the list.",
            {"professional_id": "unknown"},
        )
    if pro in team.professionals_of(booking):
        raise Problem(409, "colleague_exists", "This colleague already takes part.")
    take_colleague_time(booking, pro, outside_hours)
    language = next((c for c in pro.languages if c in MESSAGE_LANGUAGES), "fi")
    participant, _secret = add_participant(
        booking,
        ParticipantRole.PROFESSIONAL,
        name=pro.name,
        email=pro.email,
        phone=None,
        language=language,
        professional_id=pro.id,
        staff=staff,
    )
    tell_family(booking)
    return participant


def add_guest(
    booking: Booking,
    staff: StaffUser,
    *,
    name: str,
    email: str | None,
    phone: str | None,
    language: str,
) -> BookingParticipant:
    """Add someone from outside the organisation (a school nurse, a teacher)."""
    lock(booking)
    _changeable(booking)
    participant, _secret = add_participant(
        booking,
        ParticipantRole.GUEST,
        name=name,
        email=email,
        phone=phone,
        language=language if language in MESSAGE_LANGUAGES else "fi",
        staff=staff,
    )
    tell_family(booking)
    return participant


def remove(participant: BookingParticipant, staff: StaffUser) -> None:
    """Take an added person out: they are told, their link stops working, the family is
    told who takes part now, and a removed interpreter opens the request again."""
    booking = lock(participant.booking)
    _changeable(booking)
    if participant.role == ParticipantRole.CLIENT:
        raise Problem(409, "client_not_removable", "A client is not removed here.")
    if participant.removed_at is not None:
        raise Problem(409, "already_removed", "This person was already removed.")
    remove_participant(participant, staff=staff)
    if participant.role == ParticipantRole.INTERPRETER:
        interpreters.mark_open_again(booking)
    tell_family(booking)


def people_taking_part(booking: Booking) -> tuple[tuple[str, str | None], ...]:
    """Who takes part besides the family, as the family may be told: (role, name), the
    name left out where the service tells only roles."""
    shown = booking.service.participant_names_shown
    return tuple(
        (p.role.value, p.name if shown else None)
        for p in participants_of(booking)
        if p.role != ParticipantRole.CLIENT
    )


@dataclass(frozen=True)
class TakingPart:
    """What the family's own page says of who takes part and of its interpreter request."""

    people: tuple[tuple[str, str | None], ...]
    interpreter_language: str | None  # asked for (a language code), None when not asked
    interpreter_added: bool


def taking_part_for_family(booking: Booking) -> TakingPart:
    """Who takes part besides the family (roles, names by the service's rule; never any
    contact details), and the state of its interpreter request."""
    request = interpreters.request_of(booking)
    return TakingPart(
        people=people_taking_part(booking),
        interpreter_language=request.language if request is not None else None,
        interpreter_added=request is not None and not request.is_open,
    )


def tell_family(booking: Booking) -> None:
    """Queue a notice to the family (each of its channels): who takes part now."""
    group = f"booking:{booking.uid}"
    secrets = messages._secrets(booking, notifications.sealed_secrets(group))
    base = messages.client_context(booking)
    context = TakingPartNotice(
        **{f.name: getattr(base, f.name) for f in fields(base)},
        people=people_taking_part(booking),
    )
    now = now_utc()
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    found: list[Message] = []
    for channel, recipient in messages._recipients(booking).items():
        due = now
        if channel == "sms":
            due = notifications.sms_send_time(
                now, booking.organisation.zone, messages._quiet(booking)
            )
        key = f"{group}:taking_part:{channel}:{stamp}"
        found.append(
            messages._to_family(
                booking, channel, recipient, "taking_part", context, secrets, due, key
            )
        )
    notifications.enqueue_many(found)
