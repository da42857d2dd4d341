"""A colleague added to a booking later takes their time the way a team meeting's further
professional does: one companion row of the booking (``scheduler.booking.team``) with the
booking's times, buffers and status, and no client data. The row blocks the colleague's
time in every free-times search (families' and staff's, through the busy version it
bumps) and the database's exclusion constraint refuses an overlap for the colleague as
for any booking of theirs. The row moves, is cancelled and is marked with the booking
(``team.follow``); taking the colleague out cancels it, which frees the time.

Operations flush, never commit; a refusal is a 4xx ``Problem`` with nothing changed.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from scheduler.booking import team
from scheduler.booking.taking import StaffTerms, take_time
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc, now_utc
from scheduler.models import ACTIVE_STATUSES, Absence, Booking, BookingStatus, Professional


def _has_other_meeting(lead: Booking, professional_id: int) -> bool:
    """Whether another active booking of the professional overlaps the booking's time
    (its buffers included)."""
    return (
        db.session.scalar(
            select(Booking.id)
            .where(
                Booking.professional_id == professional_id,
                Booking.status.in_(ACTIVE_STATUSES),
                Booking.block_start_at < lead.block_end_at,
                Booking.block_end_at > lead.block_start_at,
                Booking.id != lead.id,
                Booking.lead_booking_id.is_distinct_from(lead.id),
            )
            .limit(1)
        )
        is not None
    )


def take_colleague_time(lead: Booking, pro: Professional, outside_hours: bool) -> Booking:
    """Take the colleague's time for the booking ``lead`` (locked by the caller): the
    re-check under the colleague's lock that every booking goes through, then their row.
    Raises 409 ``colleague_booked`` when another meeting of theirs overlaps, else
    ``colleague_not_free`` (their hours, an absence, a closure) when the time is not free."""
    taken: list[Booking] = []

    def write(locked: Professional) -> None:
        companion = Booking(
            uid=f"{uuid.uuid4()}@etaaika",
            language=lead.language,
            intake_answers={},
            created_at=now_utc(),
            professional=locked,
        )
        lead.companions.append(companion)
        team.follow(lead)
        taken[:] = [companion]

    now = now_utc()
    terms = StaffTerms(outside_hours=outside_hours)
    if take_time(lead.service, pro.id, as_utc(lead.start_at), now, None, write, terms):
        return taken[0]
    if _has_other_meeting(lead, pro.id):
        raise Problem(
            409,
            "colleague_booked",
            "The colleague has another meeting at this time.",
            {"professional_id": "booked"},
        )
    raise Problem(
        409,
        "colleague_not_free",
        "The colleague is not free at this time.",
        {"professional_id": "not free"},
    )


def _is_absent(lead: Booking, professional_id: int) -> bool:
    """Whether an absence of the professional overlaps the booking's time."""
    return (
        db.session.scalar(
            select(Absence.id)
            .where(
                Absence.professional_id == professional_id,
                Absence.start_at < lead.end_at,
                Absence.end_at > lead.start_at,
            )
            .limit(1)
        )
        is not None
    )


def check_colleagues_free(lead: Booking) -> None:
    """After a move: every colleague added to the meeting is free at its new time, their
    bookings and absences considered (PostgreSQL's exclusion constraint refuses an
    overlapping booking by itself; this says so on any database), and none of them became
    the meeting's own worker. A 409 ``colleague_busy`` otherwise. Their weekly hours do
    not bind a move, as they did not bind adding them with the override."""
    for pid in sorted(team.colleague_ids(lead)):
        if pid == lead.professional_id or _has_other_meeting(lead, pid) or _is_absent(lead, pid):
            raise Problem(
                409,
                "colleague_busy",
                "A colleague taking part has another meeting or is away at that time.",
            )


def free_colleague_time(lead: Booking, professional_id: int) -> None:
    """Give the colleague's time back: their row of the booking is cancelled."""
    now = now_utc()
    for companion in lead.companions:
        if companion.professional_id == professional_id and companion.status in ACTIVE_STATUSES:
            companion.status = BookingStatus.CANCELLED
            companion.cancelled_at = now
            companion.cancelled_by = "staff"
            companion.updated_at = now
    db.session.flush()
