"""Schedule versions: the numbers that cached free times are checked against.

Every change that can move a professional's free times bumps a version in the same
transaction as the change, so a reader sees the change and its version together:

* a booking that starts, stops or moves blocking time bumps the counters of the UTC dates
  its blocked time touches (before and after the change) in ``schedule_days``;
* weekly rules, absences, extra openings and imported busy times bump the professional's
  ``schedule_version``.

ORM changes are seen at flush (``after_flush``). A bulk statement on one of these tables
bypasses that, so it must name the professionals it changes: ``touching(statement, ids)``
bumps their versions as the statement runs (no ids: nothing that a cache counts changes).
A bulk statement without it is refused, because a stale cache would offer times that are
gone.

Holds that run out need no bump: a cached result that counted a hold is used only until
that hold's expiry (``scheduler/availability/cache.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import BigInteger, Executable, bindparam, cast, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, attributes

from scheduler.extensions import db
from scheduler.kernel import as_utc, random_version
from scheduler.models import (
    ACTIVE_STATUSES,
    Absence,
    Booking,
    BookingStatus,
    ExternalBusy,
    ExtraOpening,
    Professional,
    ScheduleDay,
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


def utc_days(start: datetime, end: datetime) -> list[date]:
    """The UTC dates that the half-open span ``[start, end)`` touches (at least one)."""
    first = as_utc(start).date()
    last = as_utc(max(end - _MICROSECOND, start)).date()
    days = [first]
    while days[-1] < last:
        days.append(days[-1] + _ONE_DAY)
    return days


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


@functools.cache
def _touch_statement(dialect_name: str) -> Any:
    """The upsert of one counter, built once per dialect (a statement built afresh for
    each call is compiled afresh too)."""
    table = ScheduleDay.__table__
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (
        dialect.insert(table)
        .values(
            professional_id=bindparam("pid"), day=bindparam("day"), version=bindparam("version")
        )
        .on_conflict_do_update(
            index_elements=[table.c.professional_id, table.c.day],
            set_={"version": table.c.version + 1},
        )
    )


def touch_days(session: Session, pairs: Iterable[tuple[int, date]]) -> None:
    """Bump the counters of these (professional, UTC date) pairs, creating missing ones."""
    keys = sorted(set(pairs))  # one order for every writer: no lock-order deadlocks
    if not keys:
        return
    connection = session.connection()
    rows = [{"pid": pid, "day": day, "version": random_version()} for pid, day in keys]
    # One pair (the usual case) as one statement; several in one batch, in that order.
    connection.execute(
        _touch_statement(connection.dialect.name), rows[0] if len(rows) == 1 else rows
    )


def _committed(obj: Any, name: str) -> Any:
    """The value of an attribute before this flush's change (the current one if unchanged)."""
    history = attributes.get_history(obj, name, passive=attributes.PASSIVE_NO_INITIALIZE)
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return getattr(obj, name)


def _booking_days(booking: Booking, *, before: bool) -> list[tuple[int, date]]:
    """The (professional, UTC date) pairs the booking blocks, before or after this flush."""

    def value(name: str) -> Any:
        return _committed(booking, name) if before else getattr(booking, name)

    if value("status") not in ACTIVE_STATUSES:
        return []
    pid, start, end = value("professional_id"), value("block_start_at"), value("block_end_at")
    if pid is None or start is None or end is None:
        return []
    return [(pid, day) for day in utc_days(start, end)]


_BOOKING_FIELDS = ("status", "professional_id", "block_start_at", "block_end_at")


def _hold_shortened(booking: Booking) -> bool:
    """A hold that now runs out sooner: results cached until its old expiry are wrong."""
    old, new = _committed(booking, "hold_expires_at"), booking.hold_expires_at
    return (
        booking.status == BookingStatus.HELD and old is not None and new is not None and new < old
    )


def _changed_booking_days(booking: Booking) -> list[tuple[int, date]]:
    changed = [
        name
        for name in _BOOKING_FIELDS
        if attributes.get_history(booking, name, passive=attributes.PASSIVE_NO_INITIALIZE).deleted
    ]
    if not changed:
        return _booking_days(booking, before=False) if _hold_shortened(booking) else []
    before, after = _booking_days(booking, before=True), _booking_days(booking, before=False)
    if changed == ["status"] and before and after:
        # Held → confirmed blocks the same time: a cached result that counted the hold
        # stays right (it is used only until the hold would have run out anyway).
        return []
    return before + after


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    days: list[tuple[int, date]] = []
    workers: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Booking):
            days += _booking_days(obj, before=False)
        elif isinstance(obj, _WORKER_WIDE):
            workers.add(obj.professional_id)
    for obj in session.dirty:
        if isinstance(obj, Booking):
            days += _changed_booking_days(obj)
        elif isinstance(obj, _WORKER_WIDE) and session.is_modified(obj):
            workers.update((obj.professional_id, _committed(obj, "professional_id")))
    for obj in session.deleted:
        if isinstance(obj, Booking):
            days += _booking_days(obj, before=True)
        elif isinstance(obj, _WORKER_WIDE):
            workers.add(_committed(obj, "professional_id"))
    touch_days(session, days)
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


def day_counter_sum(professional_id: Any) -> Any:
    """The sum of a professional's day counters from ``:first_day`` to ``:last_day``
    (bound parameters), as a scalar subquery for ``professional_id`` (a column)."""
    days = ScheduleDay.__table__.c
    return (
        select(cast(func.coalesce(func.sum(days.version), 0), BigInteger))
        .where(
            days.professional_id == professional_id,
            days.day >= bindparam("first_day"),
            days.day <= bindparam("last_day"),
        )
        .scalar_subquery()
    )


def versions(
    professional_ids: Sequence[int], first_day: date, last_day: date
) -> dict[int, tuple[int, int]]:
    """(schedule_version, sum of the day counters from first_day to last_day) per professional."""
    if not professional_ids:
        return {}
    pros = Professional.__table__.c
    rows = db.session.connection().execute(
        select(pros.id, pros.schedule_version, day_counter_sum(pros.id)).where(
            pros.id.in_(list(professional_ids))
        ),
        {"first_day": first_day, "last_day": last_day},
    )
    return {pid: (int(version), int(summed)) for pid, version, summed in rows}
