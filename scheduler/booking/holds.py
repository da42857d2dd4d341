"""Hold → confirm: a time held for a few minutes while the family fills in the form, then
confirmed; holds that run out give their time back.

Each operation works on the session and flushes, never commits (the request commits
once). Side effects are queued in the same transaction: messages through
``scheduler.booking.messages`` (the outbox) and access-log rows through ``scheduler.audit``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select

from scheduler import audit
from scheduler.availability import candidates
from scheduler.booking import interpreters, meetings, messages, participants, team
from scheduler.booking.changes import client_identifiers
from scheduler.booking.taking import (
    ClientDetails,
    StaffTerms,
    blocks,
    check_start,
    expire_run_out_holds,
    slot_taken,
    take_time,
    with_related,
)
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc, now_utc
from scheduler.models import Booking, BookingStatus, ParticipantRole, Professional, Service
from scheduler.tokens import new_token, token_hash


def hold(
    service: Service,
    start_at: datetime,
    professional_id: int | None = None,
    language: str | None = None,
    meeting_mode: str | None = None,
    terms: StaffTerms | None = None,
) -> tuple[Booking, str]:
    """Hold a time for a few minutes while the family fills in the form.

    Returns the held booking and the secret hold token (only its hash is stored). With
    ``terms`` a worker holds the time for a family (``StaffTerms``).
    """
    now = now_utc()
    if terms is None and not service.bookable:
        raise Problem(422, "not_bookable", "This service cannot be booked online.")
    mode = meeting_mode or service.meeting_modes[0]
    if mode not in service.meeting_modes:
        raise Problem(
            422,
            "invalid_mode",
            "This service is not met that way.",
            {"meeting_mode": "not offered"},
        )
    start_at = check_start(service, start_at, now, notice=terms is None)
    if team.is_team(service):
        return _hold_team(service, start_at, professional_id, language, mode, terms, now)
    # "Any worker": the least booked professional of that day first, to share the load.
    pros = candidates.hold_candidates(service, start_at, professional_id, language)
    if not pros:
        raise candidates.nobody_because_withheld(service, professional_id, language)
    booking, token = _held(service, start_at, language, mode, terms, now)
    for pid in pros:

        def write(pro: Professional) -> None:
            booking.professional = pro  # no lazy load for the answer
            db.session.add(booking)

        if take_time(service, pid, start_at, now, None, write, terms):
            return booking, token
    raise slot_taken()


def _hold_team(
    service: Service,
    start_at: datetime,
    professional_id: int | None,
    language: str | None,
    mode: str,
    terms: StaffTerms | None,
    now: datetime,
) -> tuple[Booking, str]:
    """Hold a time of a team service: every professional of the team at once."""
    booking, token = _held(service, start_at, language, mode, terms, now)

    def write(pros: Sequence[Professional]) -> None:
        team.seat(booking, pros)
        db.session.add(booking)

    if team.take_team(service, start_at, now, write, professional_id, language, terms):
        return booking, token
    raise slot_taken()


def _held(
    service: Service,
    start_at: datetime,
    language: str | None,
    mode: str,
    terms: StaffTerms | None,
    now: datetime,
) -> tuple[Booking, str]:
    """A new held booking, not yet in the session, and its secret hold token."""
    end_at, block_start, block_end = blocks(service, start_at)
    token = new_token()
    booking = Booking(
        uid=f"{uuid.uuid4()}@etaaika",
        organisation_id=service.organisation_id,
        service_id=service.id,
        start_at=start_at,
        end_at=end_at,
        block_start_at=block_start,
        block_end_at=block_end,
        status=BookingStatus.HELD,
        meeting_mode=mode,
        language=language or "fi",
        hold_expires_at=now + timedelta(minutes=current_app.config["HOLD_MINUTES"]),
        hold_token_hash=token_hash(token),
        intake_answers={},
        outside_hours=terms is not None and terms.outside_hours,
        created_at=now,
        updated_at=now,
    )
    return booking, token


# Built once (a query with loader options costs more to build than to run). A hold is
# read under a lock of its row (PostgreSQL; SQLite serialises every write): two confirms
# of one hold at once are taken one after the other, and the second no longer finds it.
_BY_HOLD_TOKEN = with_related(
    select(Booking).where(Booking.hold_token_hash == bindparam("hash"))
).with_for_update(of=Booking)


def booking_by_hold_token(token: str) -> Booking:
    booking = db.session.scalar(_BY_HOLD_TOKEN, {"hash": token_hash(token)})
    if booking is None:
        raise Problem(
            404, "hold_not_found", "This reservation was not found. Please choose a time again."
        )
    _check_hold(booking)
    return booking


def _check_hold(booking: Booking) -> None:
    if (
        booking.status != BookingStatus.HELD
        or as_utc(booking.hold_expires_at or now_utc()) <= now_utc()
    ):
        raise Problem(
            410, "hold_expired", "The reservation of this time ran out. Please choose a time again."
        )


def release_hold(token: str) -> None:
    """Give a held time back at once (the family went back to choose another)."""
    booking = booking_by_hold_token(token)
    team.group(booking)  # the companions locked
    booking.status = BookingStatus.EXPIRED
    booking.hold_token_hash = None
    booking.updated_at = now_utc()
    team.follow(booking)
    db.session.flush()


def confirm(
    hold_token: str,
    client: ClientDetails,
    held: Booking | None = None,
    identity_check: str | None = None,
    send_confirmation: bool = True,
) -> tuple[Booking, str]:
    """Turn a hold into a confirmed booking; returns it with the secret manage token.

    ``held`` is the booking the caller already found by ``hold_token`` (to check the
    form against its service); it saves looking the hold up twice. A worker booking for
    a family names how they checked the client's identity in person (``identity_check``,
    for a service that requires strong identification) and may leave the confirmation
    unsent (the family gets a printed note); reminders are planned all the same.
    """
    if held is not None and held.hold_token_hash == token_hash(hold_token):
        booking = held
        _check_hold(booking)
    else:
        booking = booking_by_hold_token(hold_token)
    service = booking.service
    if service.name_rule == "required" and not client.name.strip():
        raise Problem(422, "invalid_input", "Give the name.", {"client.name": "required"})
    if booking.meeting_mode == "phone" and not client.phone:
        raise Problem(
            422,
            "invalid_input",
            "A phone meeting needs the number the worker calls.",
            {"client.phone": "required"},
        )
    if service.requires_strong_id and not (client.identity_subject or identity_check):
        raise Problem(
            403,
            "identification_required",
            "This service needs strong identification before booking.",
        )
    interpreters.checked_language(service, client.interpreter_language)
    second = client.second_client
    if second is not None:
        participants.check_second_client(
            service, client.email, client.phone, second.email, second.phone
        )
    team.check_companions_held(booking)
    now = now_utc()
    token = new_token()
    booking.status = BookingStatus.CONFIRMED
    booking.hold_token_hash = None
    booking.hold_expires_at = None
    booking.manage_token_hash = token_hash(token)
    booking.client_name = client.name.strip() or None
    booking.client_email = client.email
    booking.client_phone = client.phone
    booking.language = client.language
    booking.intake_answers = client.intake_answers
    booking.identity_subject = client.identity_subject
    booking.identity_name = client.identity_name
    booking.identity_check = identity_check
    booking.meeting_language = client.meeting_language
    booking.consent_at = now
    booking.confirmed_at = now
    booking.updated_at = now
    team.follow(booking)
    audit.record(
        booking.organisation_id,
        "booking.create",
        f"booking:{booking.id}",
        client_identifiers(booking),
    )
    interpreters.record_request(booking, client.interpreter_language)
    meetings.open_room(booking)
    messages.booking_confirmed(booking, token, confirmation=send_confirmation)
    if second is not None:
        participants.add_participant(
            booking,
            ParticipantRole.CLIENT,
            name=second.name,
            email=second.email,
            phone=second.phone,
            language=second.language,
        )
    return booking, token


def expire_holds() -> int:
    """Periodic job: holds whose time ran out give the time back. Safe to run twice."""
    return expire_run_out_holds(now_utc())
