"""Changes to a confirmed booking: the manage link's lookup, cancel, reschedule and the
outcome of a meeting.

Every change first takes the booking's row lock (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite serialises writers) and reads the row afresh, then checks its status again: two
changes of one booking at once (a double-submitted form, two tabs, the family and a
worker) are made one after the other, each on what the other left. The sequence goes up
by one per real change, in the database, so each change notice has a key of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from scheduler import audit
from scheduler.availability import candidates
from scheduler.booking import colleagues, meetings, messages, participant_messages, team
from scheduler.booking.handover_messages import Handover
from scheduler.booking.taking import (
    StaffTerms,
    blocks,
    check_start,
    slot_taken,
    take_time,
    with_related,
)
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc, now_utc
from scheduler.models import Booking, BookingStatus, Professional
from scheduler.tokens import token_hash


def client_identifiers(booking: Booking) -> list[str | None]:
    """What identifies the client of a booking in the access log, strongest first."""
    return [booking.identity_subject, booking.client_email, booking.client_phone]


_BY_MANAGE_TOKEN = with_related(
    select(Booking).where(Booking.manage_token_hash == bindparam("hash"))
)


def ensure_family_may_cancel(booking: Booking) -> None:
    """A family cancels through its own link only where the service lets it (403)."""
    if not booking.service.family_cancels:
        raise Problem(
            403,
            "cancel_by_phone",
            "Appointments of this service are cancelled by calling the unit.",
        )


def staff_may_cancel(booking: Booking) -> bool:
    """Staff may cancel a confirmed meeting until it begins."""
    return booking.status == BookingStatus.CONFIRMED and as_utc(booking.start_at) > now_utc()


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


def lock(booking: Booking) -> Booking:
    """Take ``booking``'s row lock for the rest of the transaction and read it afresh
    (what a change committed meanwhile is seen). Call before checking or changing it.
    A team meeting's rows are locked together, the lead first and then its companions
    (one order for all, whichever row was asked for)."""
    lead = team.lead_of(booking)
    db.session.scalars(
        select(Booking)
        .where(Booking.id == lead.id)
        .with_for_update(of=Booking)
        .execution_options(populate_existing=True)
    ).all()  # the rows must be read for the fresh values to land on ``booking``
    team.group(lead)
    return booking


def _next_sequence() -> Any:
    """The iCalendar SEQUENCE of the next version, computed by the database in the update."""
    return Booking.sequence + 1


def ensure_changeable(booking: Booking) -> None:
    if booking.status != BookingStatus.CONFIRMED:
        raise Problem(409, "not_changeable", "This booking is already cancelled or closed.")
    if as_utc(booking.start_at) <= now_utc():
        raise Problem(409, "already_started", "This appointment has already started.")


def cancel(booking: Booking, by: str, reason: str | None = None, tell: bool = True) -> Booking:
    """Cancel a confirmed booking; the family (and staff) are told through the outbox.
    A team meeting is cancelled whole, whichever of its rows is given. ``tell=False``: the
    caller tells the family and staff itself, once for several meetings (a series), and
    drops the meeting's pending messages."""
    booking = team.lead_of(booking)
    lock(booking)
    ensure_changeable(booking)
    now = now_utc()
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = by
    booking.cancel_reason = reason
    booking.sequence = _next_sequence()
    booking.updated_at = now
    team.follow(booking)
    db.session.flush()
    audit.record(
        booking.organisation_id,
        "booking.cancel",
        f"booking:{booking.id}",
        client_identifiers(booking),
    )
    if tell:
        messages.booking_cancelled(booking)
    participant_messages.booking_cancelled(booking)
    meetings.close_room(booking)
    return booking


def reschedule(
    booking: Booking,
    new_start: datetime,
    professional_id: int | None = None,
    terms: StaffTerms | None = None,
    handovers: list[Handover] | None = None,
) -> Booking:
    """Move a booking. Atomic: the row moves in one update, so the new time is taken
    before the old one is given up, and a refused move leaves the old time untouched.

    With ``terms`` a worker moves it (``StaffTerms``): the family's old video link stops
    working and the change notice carries the new one.

    A move to where the booking already is changes nothing: a move sent twice (a double
    submit, a retried request) is made once, told once and logged once.

    A team meeting moves whole, whichever of its rows is given.

    With ``handovers`` the workers the move takes the meeting from are not told now: the
    move is added to the list, and the caller tells each of them once about all their
    meetings moved (``handover_messages.tell_released``). Everyone else is told as usual."""
    booking = team.lead_of(booking)
    lock(booking)
    ensure_changeable(booking)
    service = booking.service
    now = now_utc()
    wanted = professional_id if professional_id is not None else booking.professional_id
    if as_utc(new_start) == as_utc(booking.start_at) and wanted == booking.professional_id:
        return booking
    new_start = check_start(service, new_start, now, notice=terms is None)
    old_start = booking.start_at
    before = team.professionals_of(booking)
    # The move and the colleagues' check together: a move they refuse is undone here, so
    # nothing of it is left even when the caller answers the refusal with a redirect.
    savepoint = db.session.begin_nested()
    try:
        if team.is_team(service):
            _move_team(booking, new_start, wanted, terms, now)
        else:
            _move_one(booking, new_start, wanted, terms, now)
        colleagues.check_colleagues_free(booking)
    except Problem as refused:
        savepoint.rollback()
        db.session.refresh(booking)
        if terms is None and refused.code == "colleague_busy":
            raise slot_taken() from None  # the family learns no more than that
        raise
    savepoint.commit()
    audit.record(
        booking.organisation_id,
        "booking.reschedule",
        f"booking:{booking.id}",
        client_identifiers(booking),
    )
    if terms is not None:
        meetings.renew_room(booking)
    now_with = team.professionals_of(booking)
    after = {pro.id for pro in now_with}
    released = [pro for pro in before if pro.id not in after]
    messages.booking_moved(booking, old_start, [] if handovers is not None else released)
    participant_messages.booking_moved(booking, old_start)
    if handovers is not None and released:
        taken = {pro.id for pro in before}
        joined = tuple(pro for pro in now_with if pro.id not in taken)
        handovers.append(Handover(booking, old_start, tuple(released), joined))
    return booking


def _moved(booking: Booking, new_start: datetime, now: datetime) -> None:
    """Put the booking at ``new_start`` (its worker already set)."""
    booking.start_at, booking.end_at, booking.block_start_at, booking.block_end_at = (
        new_start,
        *blocks(booking.service, new_start),
    )
    booking.sequence = _next_sequence()
    booking.updated_at = now


def _move_team(
    booking: Booking, new_start: datetime, wanted: int, terms: StaffTerms | None, now: datetime
) -> None:
    """Move a team meeting: the lead worker stays, the team is kept where it is free."""

    def write(pros: Sequence[Professional]) -> None:
        _moved(booking, new_start, now)
        team.seat(booking, pros)

    if not team.take_team(booking.service, new_start, now, write, wanted, None, terms, booking):
        db.session.refresh(booking)
        raise slot_taken()


def _move_one(
    booking: Booking, new_start: datetime, wanted: int, terms: StaffTerms | None, now: datetime
) -> None:
    service = booking.service
    pros = candidates.candidates(service, wanted)
    if not pros:
        raise candidates.nobody_because_withheld(service, wanted)

    def write(pro: Professional) -> None:
        booking.professional = pro
        _moved(booking, new_start, now)
        team.follow(booking)  # the colleagues added later move along

    if not take_time(service, pros[0].id, new_start, now, booking.id, write, terms):
        db.session.refresh(booking)
        raise slot_taken()


def mark_outcome(booking: Booking, outcome: str, status: BookingStatus) -> bool:
    """Mark a meeting ``outcome`` (``held``: ``status`` COMPLETED, ``no_show``: NO_SHOW);
    False, with no log row, when it already was. A team meeting is marked whole."""
    booking = team.lead_of(booking)
    lock(booking)
    if booking.status == status:
        return False
    booking.status = status
    booking.updated_at = now_utc()
    team.follow(booking)
    db.session.flush()
    audit.record(
        booking.organisation_id,
        f"booking.mark_{outcome}",
        f"booking:{booking.id}",
        client_identifiers(booking),
    )
    return True
