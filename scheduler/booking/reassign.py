"""Moving a worker's bookings to colleagues (a sick day): a preview that proposes, for each
booking, a colleague and a time that fit, then the moves in one transaction.

A colleague fits when they provide the same service (so the same meeting modes), speak the
meeting's language and are free, through the one free-times entry point
(``availability.free_times``), at the time closest to the original one: the same day
first, then the days after. Of those times only the ones a move can take count
(``colleagues.fitting_moves``): every colleague added to the meeting free then, and the
new worker not one of them. Every move is ``changes.reschedule`` with the worker's terms, so
each family is told in its language with the new time and a new video link, each colleague
of the meeting they take over, and the worker they are taken from once, of them all
(``handover_messages``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from scheduler.availability import Ask, candidates, free_times
from scheduler.booking import team
from scheduler.booking.changes import reschedule
from scheduler.booking.colleagues import fitting_moves
from scheduler.booking.handover_messages import Handover, tell_released
from scheduler.booking.taking import StaffTerms
from scheduler.extensions import db
from scheduler.kernel import Problem, day_bounds, local_date, overlaps
from scheduler.models import Booking, BookingStatus, Professional

# How many days after the original day a colleague's time may be proposed.
DAYS_AHEAD = 7


@dataclass(frozen=True)
class Proposal:
    """One booking and where it could go; no ``professional`` when nothing fits."""

    booking: Booking
    professional: Professional | None = None
    start: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    moved: list[Proposal]
    not_moved: list[Proposal]


def bookings_of(
    professional: Professional, first: date, last: date, now: datetime
) -> list[Booking]:
    """The worker's confirmed, future bookings on the local days ``first`` to ``last``."""
    zone = professional.organisation.zone
    start, _unused = day_bounds(first, zone)
    _unused, end = day_bounds(last, zone)
    return list(
        db.session.scalars(
            select(Booking)
            .where(
                Booking.professional_id == professional.id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.start_at >= max(start, now),
                Booking.start_at < end,
            )
            .order_by(Booking.start_at, Booking.id)
        )
    )


def _blocked(booking: Booking, start: datetime) -> tuple[datetime, datetime]:
    service = booking.service
    return (
        start - timedelta(minutes=service.buffer_before_min),
        start + timedelta(minutes=service.duration_min + service.buffer_after_min),
    )


def propose(bookings: Sequence[Booking], away_id: int, now: datetime) -> list[Proposal]:
    """For each booking, the colleague and time that fit best (or none). Two proposals
    never give one colleague overlapping times, whether they take a meeting over or
    take part in one as a colleague added to it."""
    planned: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    proposals = []
    found: dict[tuple[int, str], list[Professional]] = {}
    for booking in bookings:
        service = booking.service
        language = booking.meeting_language or booking.language
        if (service.id, language) not in found:
            found[(service.id, language)] = [
                pro for pro in candidates.candidates(service, None, language) if pro.id != away_id
            ]
        workers = found[(service.id, language)]
        added = team.colleague_ids(booking)
        choice = _closest(booking, workers, added, planned, now) if workers else None
        if choice is None:
            proposals.append(Proposal(booking))
            continue
        pro, start = choice
        for pid in {pro.id, *added}:
            planned[pid].append(_blocked(booking, start))
        proposals.append(Proposal(booking, pro, start))
    return proposals


def _closest(
    booking: Booking,
    workers: list[Professional],
    added: set[int],
    planned: dict[int, list[tuple[datetime, datetime]]],
    now: datetime,
) -> tuple[Professional, datetime] | None:
    """The free time and worker closest to the booking's own time that a move can take:
    the colleagues ``added`` to the meeting free then too (``fitting_moves``, one call
    per day searched), and neither the worker nor they given an overlapping time by an
    earlier proposal (``planned``)."""
    zone = booking.organisation.zone
    day = local_date(booking.start_at, zone)
    by_id = {pro.id: pro for pro in workers}
    for offset in range(DAYS_AHEAD + 1):
        first, _unused = day_bounds(day + timedelta(days=offset), zone)
        _unused, last = day_bounds(day + timedelta(days=offset), zone)
        asked = Ask(
            booking.service_id,
            first,
            last,
            among=list(by_id),
            now=now,
            online_only=False,
        )
        answer = free_times(asked)
        found = answer.slots() if answer is not None else []
        free = [(slot.start, by_id[pid]) for slot in found for pid in slot.worker_ids]
        options = [
            (abs(start - booking.start_at), start, pro.id)
            for start, pro in fitting_moves(booking, free).choices
            if not any(
                overlaps(*_blocked(booking, start), *taken)
                for pid in (pro.id, *added)
                for taken in planned[pid]
            )
        ]
        if options:
            _distance, start, pid = min(options)
            return by_id[pid], start
    return None


def move_all(proposals: Sequence[Proposal]) -> Outcome:
    """Make the proposed moves (flushes; the request commits them together). A move that is
    refused now (a family took the time meanwhile) is left out and listed, with those that
    had no proposal, for a phone call. The worker the meetings are taken from is told once,
    listing them all; each family and each colleague taking a meeting over, per meeting."""
    moved, not_moved = [], []
    handovers: list[Handover] = []
    for proposal in proposals:
        if proposal.professional is None or proposal.start is None:
            not_moved.append(proposal)
            continue
        savepoint = db.session.begin_nested()
        handed = len(handovers)
        try:
            reschedule(
                proposal.booking,
                proposal.start,
                proposal.professional.id,
                terms=StaffTerms(),
                handovers=handovers,
            )
        except Problem:
            del handovers[handed:]  # nothing of a refused move is told
            savepoint.rollback()
            db.session.refresh(proposal.booking)
            not_moved.append(Proposal(proposal.booking))
            continue
        savepoint.commit()
        moved.append(proposal)
    tell_released(handovers)
    return Outcome(moved, not_moved)
