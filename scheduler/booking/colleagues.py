"""A colleague added to a booking later takes their time the way a team meeting's further
professional does: one companion row of the booking (``scheduler.booking.team``) with the
booking's times, buffers and status, and no client data. The row blocks the colleague's
time in every free-times search (families' and staff's, through the busy version it
bumps) and the database's exclusion constraint refuses an overlap for the colleague as
for any booking of theirs. The row moves, is cancelled and is marked with the booking
(``team.follow``); taking the colleague out cancels it, which frees the time.

A move of the meeting needs every added colleague free at the new time (their other
meetings and absences, not their weekly hours): ``check_colleagues_free`` refuses it
otherwise, and ``fitting_moves`` leaves such times out of what a move is offered, by
the same rule.

Operations flush, never commit; a refusal is a 4xx ``Problem`` with nothing changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal, select, union_all

from scheduler.availability import Slot
from scheduler.booking import team
from scheduler.booking.taking import StaffTerms, blocks, take_time
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc, now_utc, overlaps, overlaps_sql
from scheduler.models import (
    ACTIVE_STATUSES,
    Absence,
    Booking,
    BookingStatus,
    Professional,
    Service,
)

Span = tuple[datetime, datetime]
_TIME_FIELDS = ("start_at", "end_at", "block_start_at", "block_end_at")


@dataclass(frozen=True)
class _Times:
    """A meeting's time and its block (the time with the service's buffers)."""

    start: datetime
    end: datetime
    block_start: datetime
    block_end: datetime

    @classmethod
    def of(cls, booking: Booking) -> _Times:
        return cls(*(as_utc(getattr(booking, name)) for name in _TIME_FIELDS))

    @classmethod
    def moved(cls, service: Service, start: datetime) -> _Times:
        end, block_start, block_end = blocks(service, start)
        return cls(start, end, block_start, block_end)

    def span(self) -> Span:
        """From the first instant to the last that either the time or the block covers."""
        return min(self.start, self.block_start), max(self.end, self.block_end)


@dataclass(frozen=True)
class _Busy:
    """What keeps some professionals busy over a stretch, by professional: their other
    active meetings (block times) and their absences."""

    meetings: dict[int, list[Span]]
    absences: dict[int, list[Span]]

    def has_meeting(self, professional_id: int, times: _Times) -> bool:
        """Whether another meeting of theirs overlaps the block (buffers on both sides)."""
        return any(
            overlaps(times.block_start, times.block_end, start, end)
            for start, end in self.meetings.get(professional_id, ())
        )

    def at(self, professional_id: int, times: _Times) -> bool:
        """The one rule of a colleague being busy for the meeting at ``times``: another
        meeting of theirs overlaps its block, or an absence its time. Their weekly
        hours do not count."""
        return self.has_meeting(professional_id, times) or any(
            overlaps(times.start, times.end, start, end)
            for start, end in self.absences.get(professional_id, ())
        )


def _busy(lead: Booking, ids: Collection[int], start: datetime, end: datetime) -> _Busy:
    """The other meetings and absences of ``ids`` that overlap ``[start, end)``, in one
    query. The meeting ``lead`` and its own rows (the colleagues' among them) do not
    count: they move with it."""
    found = _Busy({}, {})
    if not ids:
        return found
    meetings = select(
        literal("meeting").label("kind"),
        Booking.professional_id,
        Booking.block_start_at,
        Booking.block_end_at,
    ).where(
        Booking.professional_id.in_(sorted(ids)),
        Booking.status.in_(ACTIVE_STATUSES),
        overlaps_sql(Booking.block_start_at, Booking.block_end_at, start, end),
        Booking.id != lead.id,
        Booking.lead_booking_id.is_distinct_from(lead.id),
    )
    away = select(
        literal("absence"), Absence.professional_id, Absence.start_at, Absence.end_at
    ).where(
        Absence.professional_id.in_(sorted(ids)),
        overlaps_sql(Absence.start_at, Absence.end_at, start, end),
    )
    for kind, pid, span_start, span_end in db.session.execute(union_all(meetings, away)):
        spans = found.meetings if kind == "meeting" else found.absences
        spans.setdefault(pid, []).append((as_utc(span_start), as_utc(span_end)))
    return found


def _busy_for(lead: Booking, ids: Collection[int]) -> _Busy:
    """What keeps ``ids`` busy at the meeting's own (new) time."""
    return _busy(lead, ids, *_Times.of(lead).span())


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
    if _busy_for(lead, [pro.id]).has_meeting(pro.id, _Times.of(lead)):
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


def colleague_busy() -> Problem:
    return Problem(
        409,
        "colleague_busy",
        "A colleague taking part has another meeting or is away at that time.",
    )


def check_colleagues_free(lead: Booking) -> None:
    """After a move: every colleague added to the meeting is free at its new time, their
    bookings and absences considered (PostgreSQL's exclusion constraint refuses an
    overlapping booking by itself; this says so on any database), and none of them became
    the meeting's own worker. A 409 ``colleague_busy`` otherwise. Their weekly hours do
    not bind a move, as they did not bind adding them with the override."""
    ids = team.colleague_ids(lead)
    if lead.professional_id in ids:
        raise colleague_busy()
    busy, times = _busy_for(lead, ids), _Times.of(lead)
    if any(busy.at(pid, times) for pid in ids):
        raise colleague_busy()


Choice = tuple[datetime, Professional]


@dataclass(frozen=True)
class Fitting:
    """Of the free times offered for moving a meeting, ``choices`` are those a move can
    take; ``colleague_busy`` those left out because a colleague taking part is busy then
    (a move there is refused with ``colleague_busy()``)."""

    choices: list[Choice]
    colleague_busy: list[Choice]


def fitting_moves(lead: Booking, choices: Sequence[Choice]) -> Fitting:
    """Which of the free ``choices`` (a start and the meeting's new own worker) a move of
    ``lead`` can take: every colleague added to the meeting free then, by the rule
    ``check_colleagues_free`` applies, and the worker not one of them. The colleagues'
    meetings and absences over all the starts are read in one query."""
    ids = team.colleague_ids(lead)
    if not ids:
        return Fitting(list(choices), [])
    times = {start: _Times.moved(lead.service, as_utc(start)) for start, _pro in choices}
    if not times:
        return Fitting([], [])
    spans = [t.span() for t in times.values()]
    busy = _busy(lead, ids, min(a for a, _b in spans), max(b for _a, b in spans))
    free = {start for start, t in times.items() if not any(busy.at(pid, t) for pid in ids)}
    return Fitting(
        [(start, pro) for start, pro in choices if start in free and pro.id not in ids],
        [(start, pro) for start, pro in choices if start not in free],
    )


def movable_slots(lead: Booking, slots: Sequence[Slot]) -> list[Slot]:
    """Of the free ``slots`` offered to the family for moving ``lead``, those a move can
    take (``fitting_moves``, one call for them all), each with only the workers it can go
    to then. A meeting without added colleagues is offered the slots as they are. What
    is left out is not said: the family learns nothing of the colleagues."""
    if not slots or not team.colleague_ids(lead):
        return list(slots)
    ids = sorted({pid for slot in slots for pid in slot.worker_ids})
    pros = {
        pro.id: pro
        for pro in db.session.scalars(select(Professional).where(Professional.id.in_(ids)))
    }
    choices = [(slot.start, pros[pid]) for slot in slots for pid in slot.worker_ids if pid in pros]
    kept: dict[datetime, set[int]] = {}
    for start, pro in fitting_moves(lead, choices).choices:
        kept.setdefault(start, set()).add(pro.id)
    return [
        Slot(slot.start, slot.end, tuple(pid for pid in slot.worker_ids if pid in kept[slot.start]))
        for slot in slots
        if slot.start in kept
    ]


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
