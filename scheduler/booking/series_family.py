"""The family's side of a follow-up series, through the manage link of one of its
meetings: the list of the series' meetings, and cancelling this meeting or this one and
those after it.

Cancelling "following" takes the row locks of the whole series first (one order, by id),
then checks again: two such cancels at once are made one after the other, and the
second finds nothing left to cancel (409), so the family is told once. The rules are
those of a single cancel (``changes.cancel``): only confirmed meetings that have not
started; meetings already past, cancelled or held are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from scheduler.booking import series_messages
from scheduler.booking.changes import cancel, ensure_changeable, ensure_family_may_cancel
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc, now_utc
from scheduler.models import Booking, BookingStatus

SCOPES = ("this", "following")


@dataclass(frozen=True)
class SeriesMeeting:
    """One meeting of the series as the family sees it."""

    booking_id: int
    start_at: datetime
    end_at: datetime
    state: str  # upcoming, cancelled, held, missed
    this: bool  # the meeting of the manage link


def _rows(booking: Booking) -> list[Booking]:
    """The series' meetings (lead rows; holds never confirmed left out), in time order."""
    if booking.series_id is None:
        return []
    return list(
        db.session.scalars(
            select(Booking)
            .where(
                Booking.series_id == booking.series_id,
                Booking.organisation_id == booking.organisation_id,
                Booking.lead_booking_id.is_(None),
                Booking.status.not_in((BookingStatus.HELD, BookingStatus.EXPIRED)),
            )
            .order_by(Booking.start_at, Booking.id)
        )
    )


def _state(booking: Booking, now: datetime) -> str:
    if booking.status == BookingStatus.CANCELLED:
        return "cancelled"
    if booking.status == BookingStatus.NO_SHOW:
        return "missed"
    if booking.status == BookingStatus.COMPLETED or as_utc(booking.end_at) <= now:
        return "held"
    return "upcoming"


def meetings_of(booking: Booking) -> list[SeriesMeeting]:
    """Every meeting of ``booking``'s series with its state; empty when not in a series."""
    now = now_utc()
    return [
        SeriesMeeting(row.id, row.start_at, row.end_at, _state(row, now), row.id == booking.id)
        for row in _rows(booking)
    ]


def check_scope(booking: Booking, scope: str) -> None:
    """An unknown scope, or "following" for a meeting not in a series: 422."""
    if scope not in SCOPES:
        raise Problem(422, "invalid_scope", 'The scope is "this" or "following".', {"scope": "?"})
    if scope == "following" and booking.series_id is None:
        raise Problem(
            422,
            "not_in_series",
            "This appointment is not part of a series.",
            {"scope": "not in a series"},
        )


def to_cancel(booking: Booking, scope: str) -> list[Booking]:
    """What a cancel of ``scope`` would cancel, in time order: this meeting, or this one
    and the series' later meetings that are confirmed and not yet started."""
    check_scope(booking, scope)
    if scope == "this":
        return [booking]
    now = now_utc()
    start = as_utc(booking.start_at)
    return [
        row
        for row in _rows(booking)
        if row.status == BookingStatus.CONFIRMED
        and as_utc(row.start_at) >= start
        and as_utc(row.start_at) > now
    ]


def _lock_series(booking: Booking) -> None:
    """Take the row locks of every meeting of the series (by id) and read them afresh."""
    db.session.scalars(
        select(Booking)
        .where(
            Booking.series_id == booking.series_id,
            Booking.organisation_id == booking.organisation_id,
        )
        .order_by(Booking.id)
        .with_for_update(of=Booking)
        .execution_options(populate_existing=True)
    ).all()


def cancel_following(booking: Booking, reason: str | None = None) -> list[Booking]:
    """Cancel this meeting and the series' later ones (flushes); the family gets one
    notice listing every cancelled date, each worker one staff notice, and each meeting
    its access-log row. Refused, changing nothing: a meeting not in a series (422), one
    already cancelled, closed or started (409)."""
    check_scope(booking, "following")
    ensure_family_may_cancel(booking)
    _lock_series(booking)
    ensure_changeable(booking)
    chosen = to_cancel(booking, "following")
    for row in chosen:
        cancel(row, "client", reason, tell=False)
    series_messages.series_cancelled(chosen)
    return chosen
