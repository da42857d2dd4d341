"""Booking operations: hold → confirm, cancel, reschedule, and expiring holds.

Each operation works on the session and flushes, never commits (the request commits
once). Side effects are queued in the same transaction: messages through
``scheduler.messages`` (the outbox) and access-log rows through ``scheduler.audit``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from scheduler import audit, meetings, messages, slots
from scheduler.database import is_postgres
from scheduler.errors import Problem
from scheduler.extensions import db
from scheduler.models import Booking, BookingStatus, Professional, Service
from scheduler.schedule_versions import touching
from scheduler.timeutil import as_utc, now_utc
from scheduler.tokens import new_token, token_hash


@dataclass(frozen=True)
class ClientDetails:
    name: str
    email: str | None
    phone: str | None
    language: str
    intake_answers: dict[str, Any]
    identity_subject: str | None = None
    identity_name: str | None = None


def slot_taken() -> Problem:
    return Problem(
        409,
        "slot_taken",
        "This time was just booked by someone else. Please choose another time.",
    )


def _lock_professional(professional_id: int) -> Professional:
    """Serialise bookings of one professional (PostgreSQL; SQLite serialises every write);
    returns the professional, read under the lock (its ``schedule_version`` with it)."""
    pro = db.session.get(
        Professional,
        professional_id,
        with_for_update=is_postgres() or None,
        populate_existing=True,
    )
    if pro is None:
        raise LookupError(f"professional {professional_id} is gone")
    return pro


def _expire_run_out_holds(now: datetime, professional_id: int | None = None) -> int:
    """Mark holds whose time ran out (of one professional, or all) expired; how many."""
    query = update(Booking).where(
        Booking.status == BookingStatus.HELD.value, Booking.hold_expires_at <= now
    )
    if professional_id is not None:
        query = query.where(Booking.professional_id == professional_id)
    # A run-out hold stopped blocking at its expiry, which cached free times honour:
    # no schedule version to bump.
    result = db.session.execute(
        touching(
            query.values(status=BookingStatus.EXPIRED.value, hold_token_hash=None, updated_at=now)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _check_start(service: Service, start_at: datetime, now: datetime) -> datetime:
    start_at = as_utc(start_at)
    if start_at < now + timedelta(minutes=service.min_notice_min):
        raise Problem(422, "too_soon", "That time is too soon to book.", {"start_at": "too soon"})
    if start_at >= now + timedelta(days=service.horizon_days):
        raise Problem(
            422, "too_far", "That time is too far ahead to book.", {"start_at": "too far ahead"}
        )
    return start_at


def _blocks(service: Service, start_at: datetime) -> tuple[datetime, datetime, datetime]:
    end_at = start_at + timedelta(minutes=service.duration_min)
    return (
        end_at,
        start_at - timedelta(minutes=service.buffer_before_min),
        end_at + timedelta(minutes=service.buffer_after_min),
    )


def _take(
    service: Service,
    professional_id: int,
    start_at: datetime,
    now: datetime,
    exclude_booking_id: int | None,
    write: Any,
) -> bool:
    """Lock the professional, re-check the time and apply ``write(professional)``; False
    when not free."""
    for stale_holds_expired in (False, True):
        savepoint = db.session.begin_nested()
        try:
            pro = _lock_professional(professional_id)
            if stale_holds_expired:
                _expire_run_out_holds(now, professional_id)
            if not slots.is_free(
                service, professional_id, start_at, now, exclude_booking_id, pro.schedule_version
            ):
                savepoint.rollback()
                return False
            write(pro)
            db.session.flush()
        except IntegrityError:
            # The exclusion constraint refused: either someone committed an overlapping
            # booking meanwhile, or a hold that ran out has not been marked expired yet
            # (PostgreSQL still counts it). Mark those and try once more; marking them
            # only here spares every other booking a write.
            savepoint.rollback()
            continue
        savepoint.commit()
        return True
    return False


def hold(
    service: Service,
    start_at: datetime,
    professional_id: int | None = None,
    language: str | None = None,
    meeting_mode: str | None = None,
) -> tuple[Booking, str]:
    """Hold a time for a few minutes while the family fills in the form.

    Returns the held booking and the secret hold token (only its hash is stored).
    """
    now = now_utc()
    if not service.bookable:
        raise Problem(422, "not_bookable", "This service cannot be booked online.")
    mode = meeting_mode or service.meeting_modes[0]
    if mode not in service.meeting_modes:
        raise Problem(
            422,
            "invalid_mode",
            "This service is not met that way.",
            {"meeting_mode": "not offered"},
        )
    start_at = _check_start(service, start_at, now)
    # "Any worker": the least booked professional of that day first, to share the load.
    pros = slots.hold_candidates(service, start_at, professional_id, language)
    if not pros:
        raise Problem(404, "no_professional", "No such worker offers this service.")
    end_at, block_start, block_end = _blocks(service, start_at)
    token = new_token()
    booking = Booking(
        uid=f"{uuid.uuid4()}@etaaika",
        organisation_id=service.organisation_id,
        service_id=service.id,
        start_at=start_at,
        end_at=end_at,
        block_start_at=block_start,
        block_end_at=block_end,
        status=BookingStatus.HELD.value,
        meeting_mode=mode,
        language=language or "fi",
        hold_expires_at=now + timedelta(minutes=current_app.config["HOLD_MINUTES"]),
        hold_token_hash=token_hash(token),
        intake_answers={},
        created_at=now,
        updated_at=now,
    )
    for pid in pros:

        def write(pro: Professional) -> None:
            booking.professional = pro  # no lazy load for the answer
            db.session.add(booking)

        if _take(service, pid, start_at, now, None, write):
            return booking, token
    raise slot_taken()


def _with_related(query: Select[Booking]) -> Select[Booking]:
    """Load a booking with its service, organisation and worker in one query: confirming,
    cancelling and showing a booking all need them, and each lazy load is a round trip."""
    return query.options(
        joinedload(Booking.service, innerjoin=True),
        joinedload(Booking.organisation, innerjoin=True),
        joinedload(Booking.professional, innerjoin=True),
    )


# Built once (a query with loader options costs more to build than to run). A hold is
# read under a lock of its row (PostgreSQL; SQLite serialises every write): two confirms
# of one hold at once are taken one after the other, and the second no longer finds it.
_BY_HOLD_TOKEN = _with_related(
    select(Booking).where(Booking.hold_token_hash == bindparam("hash"))
).with_for_update(of=Booking)
_BY_MANAGE_TOKEN = _with_related(
    select(Booking).where(Booking.manage_token_hash == bindparam("hash"))
)


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
        booking.status != BookingStatus.HELD.value
        or as_utc(booking.hold_expires_at or now_utc()) <= now_utc()
    ):
        raise Problem(
            410, "hold_expired", "The reservation of this time ran out. Please choose a time again."
        )


def release_hold(token: str) -> None:
    """Give a held time back at once (the family went back to choose another)."""
    booking = booking_by_hold_token(token)
    booking.status = BookingStatus.EXPIRED.value
    booking.hold_token_hash = None
    booking.updated_at = now_utc()
    db.session.flush()


def confirm(
    hold_token: str, client: ClientDetails, held: Booking | None = None
) -> tuple[Booking, str]:
    """Turn a hold into a confirmed booking; returns it with the secret manage token.

    ``held`` is the booking the caller already found by ``hold_token`` (to check the
    form against its service); it saves looking the hold up twice.
    """
    if held is not None and held.hold_token_hash == token_hash(hold_token):
        booking = held
        _check_hold(booking)
    else:
        booking = booking_by_hold_token(hold_token)
    service = booking.service
    if service.requires_strong_id and not client.identity_subject:
        raise Problem(
            403,
            "identification_required",
            "This service needs strong identification before booking.",
        )
    now = now_utc()
    token = new_token()
    booking.status = BookingStatus.CONFIRMED.value
    booking.hold_token_hash = None
    booking.hold_expires_at = None
    booking.manage_token_hash = token_hash(token)
    booking.client_name = client.name
    booking.client_email = client.email
    booking.client_phone = client.phone
    booking.language = client.language
    booking.intake_answers = client.intake_answers
    booking.identity_subject = client.identity_subject
    booking.identity_name = client.identity_name
    booking.consent_at = now
    booking.confirmed_at = now
    booking.updated_at = now
    audit.record(
        booking.organisation_id,
        "booking.create",
        f"booking:{booking.id}",
        client_identifiers(booking),
    )
    meetings.open_room(booking)
    messages.booking_confirmed(booking, token)
    return booking, token


def client_identifiers(booking: Booking) -> list[str | None]:
    """What identifies the client of a booking in the access log, strongest first."""
    return [booking.identity_subject, booking.client_email, booking.client_phone]


def booking_by_manage_token(token: str) -> Booking:
    """The booking behind a manage link; 404 for a wrong token, 410 once the meeting is over."""
    booking = db.session.scalar(_BY_MANAGE_TOKEN, {"hash": token_hash(token)})
    if booking is None:
        raise Problem(
            404, "link_not_found", "This link is not valid. Check that it was copied whole."
        )
    if as_utc(booking.end_at) <= now_utc() or booking.personal_data_removed_at is not None:
        raise Problem(410, "link_expired", "This appointment is over, so the link no longer works.")
    return booking


def _ensure_changeable(booking: Booking) -> None:
    if booking.status != BookingStatus.CONFIRMED.value:
        raise Problem(409, "not_changeable", "This booking is already cancelled or closed.")
    if as_utc(booking.start_at) <= now_utc():
        raise Problem(409, "already_started", "This appointment has already started.")


def cancel(booking: Booking, by: str, reason: str | None = None) -> Booking:
    """Cancel a confirmed booking; the family (and staff) are told through the outbox."""
    _ensure_changeable(booking)
    now = now_utc()
    booking.status = BookingStatus.CANCELLED.value
    booking.cancelled_at = now
    booking.cancelled_by = by
    booking.cancel_reason = reason
    booking.sequence += 1
    booking.updated_at = now
    audit.record(
        booking.organisation_id,
        "booking.cancel",
        f"booking:{booking.id}",
        client_identifiers(booking),
    )
    messages.booking_cancelled(booking)
    meetings.close_room(booking)
    return booking


def reschedule(
    booking: Booking, new_start: datetime, professional_id: int | None = None
) -> Booking:
    """Move a booking. Atomic: the row moves in one update, so the new time is taken
    before the old one is given up, and a refused move leaves the old time untouched."""
    _ensure_changeable(booking)
    service = booking.service
    now = now_utc()
    new_start = _check_start(service, new_start, now)
    wanted = professional_id if professional_id is not None else booking.professional_id
    pros = slots.candidates(service, wanted)
    if not pros:
        raise Problem(404, "no_professional", "No such worker offers this service.")
    old_start = booking.start_at
    end_at, block_start, block_end = _blocks(service, new_start)

    def write(pro: Professional) -> None:
        booking.professional = pro
        booking.start_at, booking.end_at = new_start, end_at
        booking.block_start_at, booking.block_end_at = block_start, block_end
        booking.sequence += 1
        booking.updated_at = now

    if not _take(service, pros[0].id, new_start, now, booking.id, write):
        db.session.refresh(booking)
        raise slot_taken()
    audit.record(
        booking.organisation_id,
        "booking.reschedule",
        f"booking:{booking.id}",
        client_identifiers(booking),
    )
    messages.booking_moved(booking, old_start)
    return booking


def expire_holds() -> int:
    """Periodic job: holds whose time ran out give the time back. Safe to run twice."""
    return _expire_run_out_holds(now_utc())
