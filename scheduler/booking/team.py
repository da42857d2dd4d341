"""Team meetings: a booking of a service that needs one professional of every pool.

A team meeting is one lead booking (the client's data, messages, the manage link) and one
companion row per further professional, with the same times and status and no client
data. Each row blocks its own professional's time, so the database's exclusion constraint
refuses an overlap for every one of them, and each professional's feed and agenda show
the meeting as any other booking of theirs.

Taking a time locks every candidate professional in ascending id order (so two team
bookings never wait for each other in a circle), re-checks who is free afresh and writes
all the rows in one savepoint: two families racing for the last common time of two
workers end with one booking. Every change of the lead (confirm, cancel, move, outcome)
locks its companions and carries them along in the same transaction (``follow``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from scheduler.availability import Ask, free_times
from scheduler.availability.candidates import prepare
from scheduler.availability.team import pick
from scheduler.booking.taking import (
    StaffTerms,
    expire_run_out_holds,
    free_for_staff,
    lock_professional,
)
from scheduler.extensions import db
from scheduler.kernel import Problem, day_bounds, local_date
from scheduler.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingParticipant,
    BookingStatus,
    ParticipantRole,
    Professional,
    Service,
)

# The fields a companion row shares with its lead.
_SHARED = (
    "service_id",
    "organisation_id",
    "start_at",
    "end_at",
    "block_start_at",
    "block_end_at",
    "status",
    "meeting_mode",
    "hold_expires_at",
    "outside_hours",
    "confirmed_at",
    "cancelled_at",
    "cancelled_by",
    "updated_at",
)


def is_team(service: Service) -> bool:
    """Whether ``service`` needs one professional of every pool at once."""
    return bool(service.pools)


def empty_pool() -> Problem:
    return Problem(
        409,
        "team_incomplete",
        "This service needs several workers together, and one of them cannot be found now.",
    )


Write = Callable[[Sequence[Professional]], None]


def take_team(
    service: Service,
    start_at: datetime,
    now: datetime,
    write: Write,
    professional_id: int | None = None,
    language: str | None = None,
    terms: StaffTerms | None = None,
    moving: Booking | None = None,
) -> bool:
    """Lock the candidates of every pool, re-check who is free at ``start_at`` and apply
    ``write(team)`` with one professional per pool (the lead's first); False when no team
    is free. Raises ``empty_pool()`` when a pool has no candidate at all. ``moving``: the
    team meeting being moved (its own rows do not block, and its team is preferred)."""
    chosen = prepare(service.id, professional_id, language)
    if chosen is None or not chosen.pools:
        raise empty_pool()
    ids = sorted(chosen.versions)
    added = set() if moving is None else colleague_ids(moving)
    current = set() if moving is None else {row.professional_id for row in group(moving)} - added
    for stale_holds_expired in (False, True):
        savepoint = db.session.begin_nested()
        try:
            pros = {pid: lock_professional(pid) for pid in ids}  # ascending: no deadlock
            if stale_holds_expired:
                for pid in ids:
                    expire_run_out_holds(now, pid)
            # A colleague added to the meeting keeps their own row: not a pool's member.
            free = _free_members(service, pros, start_at, now, terms, moving) - added
            team = pick(chosen.pools, free, _preference(service, ids, start_at, current))
            if team is None:
                savepoint.rollback()
                return False
            write([pros[pid] for pid in team])
            db.session.flush()
        except IntegrityError:
            # Someone committed an overlapping booking meanwhile, or a hold that ran out
            # still counts (see taking.take_time): mark those and try once more.
            savepoint.rollback()
            continue
        savepoint.commit()
        return True
    return False


def _free_members(
    service: Service,
    pros: dict[int, Professional],
    start_at: datetime,
    now: datetime,
    terms: StaffTerms | None,
    moving: Booking | None,
) -> set[int]:
    """Which of the locked candidates are free at ``start_at``, each read afresh."""
    if terms is not None:
        return {
            pid for pid, pro in pros.items() if free_for_staff(service, pro, start_at, now, terms)
        }
    found = free_times(
        Ask(
            service.id,
            start_at,
            start_at + timedelta(microseconds=1),
            among=list(pros),
            now=now,
            fresh=True,
            pooled=False,
            exclude_booking_id=None if moving is None else moving.id,
        )
    )
    if found is None or not found.has(start_at):
        return set()
    return set(found.page.worker_ids()[0])


def _preference(
    service: Service, ids: list[int], start_at: datetime, current: set[int]
) -> Callable[[int], tuple[bool, int, int]]:
    """How the free members of a pool are ranked: the meeting's own team first (a move),
    then the least booked on that local date (to share the load), then the lowest id."""
    booked = _booked_that_day(service, ids, start_at)
    return lambda pid: (pid not in current, booked.get(pid, 0), pid)


def _booked_that_day(service: Service, ids: list[int], start_at: datetime) -> dict[int, int]:
    """Active bookings per candidate on the local date of ``start_at``."""
    zone = service.organisation.zone
    day_start, day_end = day_bounds(local_date(start_at, zone), zone)
    rows = db.session.execute(
        select(Booking.professional_id, db.func.count())
        .where(
            Booking.professional_id.in_(ids),
            Booking.start_at >= day_start,
            Booking.start_at < day_end,
            Booking.status.in_(ACTIVE_STATUSES),
        )
        .group_by(Booking.professional_id)
    )
    return {pid: int(count) for pid, count in rows}


def seat(lead: Booking, team: Sequence[Professional]) -> None:
    """Give a new or moved team meeting its professionals: the lead row the first, one
    companion row for each of the others (rows no longer needed are cancelled)."""
    lead.professional = team[0]
    added = colleague_ids(lead)
    rows = [
        c for c in lead.companions if c.status in ACTIVE_STATUSES and c.professional_id not in added
    ]
    for index, pro in enumerate(team[1:]):
        if index < len(rows):
            rows[index].professional = pro
        else:
            companion = Booking(
                uid=f"{uuid.uuid4()}@etaaika",
                language=lead.language,
                intake_answers={},
                created_at=lead.updated_at,
                professional=pro,
            )
            lead.companions.append(companion)
    for extra in rows[len(team) - 1 :]:
        extra.status = BookingStatus.CANCELLED
        extra.cancelled_at = lead.updated_at
        extra.cancelled_by = "system"
    follow(lead)


def colleague_ids(lead: Booking) -> set[int]:
    """The colleagues added to the meeting later (``scheduler.booking.colleagues``): each
    has a companion row of their own, which no pool of a team takes over."""
    if lead.id is None:
        return set()
    found = db.session.scalars(
        select(BookingParticipant.professional_id).where(
            BookingParticipant.booking_id == lead.id,
            BookingParticipant.role == ParticipantRole.PROFESSIONAL,
            BookingParticipant.removed_at.is_(None),
            BookingParticipant.professional_id.is_not(None),
        )
    )
    return {pid for pid in found if pid is not None}


def professionals_of(lead: Booking) -> list[Professional]:
    """Every professional of a meeting, once each: the lead's, then those of the rows
    that go with it (a team's further professionals, colleagues added later). A row
    cancelled on its own (a colleague taken out) is no longer theirs."""
    found = {lead.professional_id: lead.professional}
    for row in lead.companions:
        with_lead = row.status == lead.status and (
            row.status in ACTIVE_STATUSES or row.cancelled_at == lead.cancelled_at
        )
        if with_lead:
            found.setdefault(row.professional_id, row.professional)
    return list(found.values())


def follow(lead: Booking) -> None:
    """Carry the lead's times and status over to its active companions."""
    for companion in lead.companions:
        if companion.status in ACTIVE_STATUSES or companion.id is None:
            for name in _SHARED:
                setattr(companion, name, getattr(lead, name))
            companion.sequence = lead.sequence


def lead_of(booking: Booking) -> Booking:
    """The booking every change of a team meeting goes through: the lead of a companion
    row, or the booking itself."""
    if booking.lead_booking_id is None:
        return booking
    return db.session.get(Booking, booking.lead_booking_id) or booking


def group(lead: Booking) -> list[Booking]:
    """The lead and its companions, the companions locked and read afresh (PostgreSQL;
    SQLite serialises writers). The lead is locked by its caller first."""
    if lead.id is None:
        return [lead]
    rows = db.session.scalars(
        select(Booking)
        .where(Booking.lead_booking_id == lead.id)
        .order_by(Booking.id)
        .with_for_update(of=Booking)
        .execution_options(populate_existing=True)
    ).all()
    return [lead, *rows]


def check_companions_held(lead: Booking) -> None:
    """A hold's companions must still be held when it is confirmed (a companion marked
    expired by someone else's booking means the whole hold ran out)."""
    for companion in group(lead)[1:]:
        if companion.status != BookingStatus.HELD:
            raise Problem(
                410,
                "hold_expired",
                "The reservation of this time ran out. Please choose a time again.",
            )


def leads_of(rows: Sequence[Booking]) -> dict[int, Booking]:
    """The lead booking of each companion among ``rows``, by the companion's id (one
    query): a further professional's agenda shows the meeting's client from it."""
    wanted = {row.lead_booking_id for row in rows if row.lead_booking_id is not None}
    if not wanted:
        return {}
    leads = {b.id: b for b in db.session.scalars(select(Booking).where(Booking.id.in_(wanted)))}
    return {
        row.id: leads[row.lead_booking_id]
        for row in rows
        if row.lead_booking_id is not None and row.lead_booking_id in leads
    }
