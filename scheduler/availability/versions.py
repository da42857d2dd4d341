"""Schedule versions: the numbers that cached free times are checked against.

Every change that can move a professional's free times bumps a version in the same
transaction as the change, so a reader sees the change and its version together:

* a booking that starts, stops or moves blocking time bumps the ``bookings_version`` of
  its professional (before and after the change, when it moves to another);
* weekly rules, absences, extra openings and imported busy times bump the professional's
  ``schedule_version``.

Both are columns of the professional's row, so the search reads every candidate's
versions with the candidates themselves, in one small query; a booking bumps a row that
taking a time locks anyway (``scheduler/booking/taking.py``).

ORM changes are seen at flush (``after_flush``). A bulk statement on one of these tables
bypasses that, so it must name the professionals it changes: ``touching(statement, ids)``
bumps their versions as the statement runs (no ids: nothing that a cache counts changes).
A bulk statement without it is refused, because a stale cache would offer times that are
gone.

Holds that run out need no bump: a cached result that counted a hold is used only until
that hold's expiry (``scheduler/availability/cache.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Executable, event, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, attributes

from scheduler.extensions import db
from scheduler.models import (
    ACTIVE_STATUSES,
    Absence,
    Booking,
    BookingStatus,
    ExternalBusy,
    ExtraOpening,
    Professional,
    WeeklyRule,
)

TOUCHED = "schedule_touched"
S = TypeVar("S", bound=Executable)
_WORKER_WIDE = (WeeklyRule, Absence, ExtraOpening, ExternalBusy)
_GUARDED = frozenset({Booking, *_WORKER_WIDE})
_ONE_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)


class UntrackedScheduleChange(RuntimeError):
    """A bulk statement changed schedule data without keeping the versions right."""


def touch_professionals(session: Session, professional_ids: Iterable[int]) -> None:
    """Bump the schedule version of these professionals (rules, absences, busy times…)."""
    ids = sorted({pid for pid in professional_ids if pid is not None})
    if not ids:
        return
    table = Professional.__table__
    session.connection().execute(
        table.update()
        .where(table.c.id.in_(ids))
        .values(schedule_version=table.c.schedule_version + 1)
    )


def touch_bookings(session: Session, professional_ids: Iterable[int]) -> None:
    """Bump the bookings version of these professionals."""
    ids = sorted({pid for pid in professional_ids if pid is not None})
    if not ids:
        return
    table = Professional.__table__
    session.connection().execute(
        table.update()
        .where(table.c.id.in_(ids))
        .values(bookings_version=table.c.bookings_version + 1)
    )


def _committed(obj: Any, name: str) -> Any:
    """The value of an attribute before this flush's change (the current one if unchanged)."""
    history = attributes.get_history(obj, name, passive=attributes.PASSIVE_NO_INITIALIZE)
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return getattr(obj, name)


def _booking_workers(booking: Booking, *, before: bool) -> list[int]:
    """The professional whose time the booking blocks before or after this flush (none
    when it blocks nothing)."""

    def value(name: str) -> Any:
        return _committed(booking, name) if before else getattr(booking, name)

    if value("status") not in ACTIVE_STATUSES:
        return []
    pid, start, end = value("professional_id"), value("block_start_at"), value("block_end_at")
    if pid is None or start is None or end is None:
        return []
    return [pid]


_BOOKING_FIELDS = ("status", "professional_id", "block_start_at", "block_end_at")


def _hold_shortened(booking: Booking) -> bool:
    """A hold that now runs out sooner: results cached until its old expiry are wrong."""
    old, new = _committed(booking, "hold_expires_at"), booking.hold_expires_at
    return (
        booking.status == BookingStatus.HELD and old is not None and new is not None and new < old
    )


def _changed_booking_workers(booking: Booking) -> list[int]:
    changed = [
        name
        for name in _BOOKING_FIELDS
        if attributes.get_history(booking, name, passive=attributes.PASSIVE_NO_INITIALIZE).deleted
    ]
    if not changed:
        return _booking_workers(booking, before=False) if _hold_shortened(booking) else []
    before, after = _booking_workers(booking, before=True), _booking_workers(booking, before=False)
    if changed == ["status"] and before and after:
        # Held → confirmed blocks the same time: a cached result that counted the hold
        # stays right (it is used only until the hold would have run out anyway).
        return []
    return before + after


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    booked: list[int] = []
    workers: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Booking):
            booked += _booking_workers(obj, before=False)
        elif isinstance(obj, _WORKER_WIDE):
            workers.add(obj.professional_id)
    for obj in session.dirty:
        if isinstance(obj, Booking):
            booked += _changed_booking_workers(obj)
        elif isinstance(obj, _WORKER_WIDE) and session.is_modified(obj):
            workers.update((obj.professional_id, _committed(obj, "professional_id")))
    for obj in session.deleted:
        if isinstance(obj, Booking):
            booked += _booking_workers(obj, before=True)
        elif isinstance(obj, _WORKER_WIDE):
            workers.add(_committed(obj, "professional_id"))
    touch_bookings(session, booked)
    touch_professionals(session, workers)


def touching(statement: S, professional_ids: Iterable[int] = ()) -> S:
    """``statement`` (a bulk change of schedule data) marked with the professionals whose
    versions it must bump; they are bumped in the same transaction when it runs. Without
    ids it says that nothing a cache counts changes (holds that already ran out)."""
    return statement.execution_options(**{TOUCHED: tuple(professional_ids)})


def _track_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    professional_ids = state.execution_options.get(TOUCHED)
    if professional_ids is not None:
        touch_professionals(state.session, professional_ids)
        return
    guarded = {mapper.class_ for mapper in state.all_mappers} & _GUARDED
    if guarded:
        names = ", ".join(sorted(cls.__name__ for cls in guarded))
        raise UntrackedScheduleChange(
            f"a bulk statement on {names} must name the professionals it changes: "
            "scheduler.availability.versions.touching(statement, ids)"
        )


def register() -> None:
    """Attach the listeners to the application's sessions (once)."""
    if not event.contains(FlaskSession, "after_flush", _after_flush):
        event.listen(FlaskSession, "after_flush", _after_flush)
        event.listen(FlaskSession, "do_orm_execute", _track_bulk)


def versions(professional_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(schedule_version, bookings_version) per professional."""
    if not professional_ids:
        return {}
    pros = Professional.__table__.c
    rows = db.session.connection().execute(
        select(pros.id, pros.schedule_version, pros.bookings_version).where(
            pros.id.in_(list(professional_ids))
        )
    )
    return {pid: (int(version), int(booked)) for pid, version, booked in rows}
