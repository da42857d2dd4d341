"""Schedule versions: the numbers that cached free times are checked against.

Every change that can move a professional's free times bumps a version in the same
transaction as the change, so a reader sees the change and its version together:

* a booking that starts, stops or moves blocking time, and a change of the busy times
  imported from the professional's calendars, bump the professional's ``busy_version``
  (a booking before and after the change, when it moves to another professional);
* weekly rules, absences and extra openings (the standing schedule) bump the
  professional's ``schedule_version``.

The two are kept apart because what they cover is read and kept apart: the standing
schedule changes seldom and is long, the busy times are many and change often. Saving
weekly rules makes a search read the rules again, not the thousands of busy times; a
booking or a feed import makes it read that professional's busy times, not the rules.

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
_STANDING = (WeeklyRule, Absence, ExtraOpening)
_BUSY = (Booking, ExternalBusy)
_GUARDED = frozenset({*_BUSY, *_STANDING})
_STANDING_TABLES = frozenset(cls.__tablename__ for cls in _STANDING)
_BUSY_TABLES = frozenset(cls.__tablename__ for cls in _BUSY)
_ONE_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)


class UntrackedScheduleChange(RuntimeError):
    """A bulk statement changed schedule data without keeping the versions right."""


def touch_professionals(session: Session, professional_ids: Iterable[int]) -> None:
    """Bump the schedule version of these professionals (rules, absences, openings)."""
    ids = sorted({pid for pid in professional_ids if pid is not None})
    if not ids:
        return
    table = Professional.__table__
    session.connection().execute(
        table.update()
        .where(table.c.id.in_(ids))
        .values(schedule_version=table.c.schedule_version + 1)
    )


def touch_busy(session: Session, professional_ids: Iterable[int]) -> None:
    """Bump the busy version of these professionals (bookings, imported busy times)."""
    ids = sorted({pid for pid in professional_ids if pid is not None})
    if not ids:
        return
    table = Professional.__table__
    session.connection().execute(
        table.update().where(table.c.id.in_(ids)).values(busy_version=table.c.busy_version + 1)
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
    busy: list[int] = []
    workers: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Booking):
            busy += _booking_workers(obj, before=False)
        elif isinstance(obj, ExternalBusy):
            busy.append(obj.professional_id)
        elif isinstance(obj, _STANDING):
            workers.add(obj.professional_id)
    for obj in session.dirty:
        if isinstance(obj, Booking):
            busy += _changed_booking_workers(obj)
        elif isinstance(obj, ExternalBusy) and session.is_modified(obj):
            busy += (obj.professional_id, _committed(obj, "professional_id"))
        elif isinstance(obj, _STANDING) and session.is_modified(obj):
            workers.update((obj.professional_id, _committed(obj, "professional_id")))
    for obj in session.deleted:
        if isinstance(obj, Booking):
            busy += _booking_workers(obj, before=True)
        elif isinstance(obj, ExternalBusy):
            busy.append(_committed(obj, "professional_id"))
        elif isinstance(obj, _STANDING):
            workers.add(_committed(obj, "professional_id"))
    touch_busy(session, busy)
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
        # The version of what the statement's table holds; of both when it is not one of
        # them (a statement on another table that still moves free times).
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if table not in _BUSY_TABLES:
            touch_professionals(state.session, professional_ids)
        if table not in _STANDING_TABLES:
            touch_busy(state.session, professional_ids)
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
    """(schedule_version, busy_version) per professional."""
    if not professional_ids:
        return {}
    pros = Professional.__table__.c
    rows = db.session.connection().execute(
        select(pros.id, pros.schedule_version, pros.busy_version).where(
            pros.id.in_(list(professional_ids))
        )
    )
    return {pid: (int(version), int(booked)) for pid, version, booked in rows}
