"""Taking a time for a booking: the re-check under the professional's lock that every
hold and move goes through, and the checks of notice and horizon."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from scheduler.availability import Ask, compute, free_times, loading
from scheduler.availability.versions import touching
from scheduler.database import is_postgres
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc
from scheduler.models import Booking, BookingStatus, Professional, Service


@dataclass(frozen=True)
class SecondClient:
    """The second client of a booking (the other parent), as the first gives them."""

    name: str
    email: str | None
    phone: str | None
    language: str


@dataclass(frozen=True)
class ClientDetails:
    name: str
    email: str | None
    phone: str | None
    language: str
    intake_answers: dict[str, Any]
    identity_subject: str | None = None
    identity_name: str | None = None
    # The language spoken in the meeting, when it is not that of the messages.
    meeting_language: str | None = None
    # The family asks for an interpreter of this language (one the service offers).
    interpreter_language: str | None = None
    # The other parent, on a service that allows a second client.
    second_client: SecondClient | None = None


@dataclass(frozen=True)
class StaffTerms:
    """How a time a worker books for a family is checked, unlike one the family picks:
    no minimum notice (the family may be in the room), a service that families cannot book
    online is fine, and with ``outside_hours`` (said explicitly) the weekly hours do not
    bind. Bookings, buffers, absences, closures and the horizon still do, and the database
    still refuses an overlap."""

    outside_hours: bool = False


def slot_taken() -> Problem:
    return Problem(
        409,
        "slot_taken",
        "This time was just booked by someone else. Please choose another time.",
    )


def lock_professional(professional_id: int) -> Professional:
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


def expire_run_out_holds(now: datetime, professional_id: int | None = None) -> int:
    """Mark holds whose time ran out (of one professional, or all) expired; how many."""
    query = update(Booking).where(
        Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= now
    )
    if professional_id is not None:
        query = query.where(Booking.professional_id == professional_id)
    # A run-out hold stopped blocking at its expiry, which cached free times honour:
    # no schedule version to bump.
    result = db.session.execute(
        touching(query.values(status=BookingStatus.EXPIRED, hold_token_hash=None, updated_at=now))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def check_start(
    service: Service, start_at: datetime, now: datetime, notice: bool = True
) -> datetime:
    start_at = as_utc(start_at)
    if not notice and start_at <= now:
        raise Problem(422, "in_past", "That time has passed.", {"start_at": "in the past"})
    if notice and start_at < now + timedelta(minutes=service.min_notice_min):
        raise Problem(422, "too_soon", "That time is too soon to book.", {"start_at": "too soon"})
    if start_at >= now + timedelta(days=service.horizon_days):
        raise Problem(
            422, "too_far", "That time is too far ahead to book.", {"start_at": "too far ahead"}
        )
    return start_at


def blocks(service: Service, start_at: datetime) -> tuple[datetime, datetime, datetime]:
    end_at = start_at + timedelta(minutes=service.duration_min)
    return (
        end_at,
        start_at - timedelta(minutes=service.buffer_before_min),
        end_at + timedelta(minutes=service.buffer_after_min),
    )


def take_time(
    service: Service,
    professional_id: int,
    start_at: datetime,
    now: datetime,
    exclude_booking_id: int | None,
    write: Any,
    terms: StaffTerms | None = None,
) -> bool:
    """Lock the professional, re-check the time and apply ``write(professional)``; False
    when not free. ``terms``: the checks of a time a worker books (``StaffTerms``)."""
    for stale_holds_expired in (False, True):
        savepoint = db.session.begin_nested()
        try:
            pro = lock_professional(professional_id)
            if stale_holds_expired:
                expire_run_out_holds(now, professional_id)
            if not _free(service, professional_id, start_at, now, exclude_booking_id, pro, terms):
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


def _still_free(
    service: Service,
    pro: Professional,
    start_at: datetime,
    now: datetime,
    exclude_booking_id: int | None,
) -> bool:
    """Whether the professional (locked) can take ``service`` at ``start_at``, read afresh
    by the rules of the search (the booking being moved leaving its own time out)."""
    found = free_times(
        Ask(
            service.id,
            start_at,
            start_at + timedelta(microseconds=1),
            among=(pro.id,),
            now=now,
            fresh=True,
            exclude_booking_id=exclude_booking_id,
            pooled=False,
        )
    )
    return found is not None and pro.id in found.candidates and found.has(start_at)


def _free(
    service: Service,
    professional_id: int,
    start_at: datetime,
    now: datetime,
    exclude_booking_id: int | None,
    pro: Professional,
    terms: StaffTerms | None,
) -> bool:
    if terms is None:
        return _still_free(service, pro, start_at, now, exclude_booking_id)
    rules = loading.rules_of(service)
    params = replace(rules.params, min_notice_min=0)
    end_at = start_at + timedelta(minutes=service.duration_min)
    (schedule,), _valid = loading.load_worker_schedules(
        rules,
        [professional_id],
        start_at,
        end_at,
        now,
        exclude_booking_id,
        {professional_id: pro.schedule_version},
    )
    if terms.outside_hours:
        # Open exactly for this meeting: absences, closures and busy times still apply.
        schedule = replace(schedule, rules=(), openings=(compute.Interval(start_at, end_at),))
    return compute.is_slot_free(params, schedule, rules.zone, now, start_at)


def free_for_staff(
    service: Service, pro: Professional, start_at: datetime, now: datetime, terms: StaffTerms
) -> bool:
    """Whether a worker may book ``start_at`` of ``pro`` under ``terms`` (no lock: a
    preview; the booking checks again under the lock)."""
    return _free(service, pro.id, start_at, now, None, pro, terms)


def with_related(query: Select[Booking]) -> Select[Booking]:
    """Load a booking with its service, organisation and worker in one query: confirming,
    cancelling and showing a booking all need them, and each lazy load is a round trip."""
    return query.options(
        joinedload(Booking.service, innerjoin=True),
        joinedload(Booking.organisation, innerjoin=True),
        joinedload(Booking.professional, innerjoin=True),
    )
