"""More time on the booking form: a family that needs longer can extend the hold.

WCAG 2.2.1 (timing adjustable) asks that a time limit can be extended by a simple action;
three hold periods in all keep a time from being blocked for long.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from scheduler.extensions import db
from scheduler.kernel import as_utc, now_utc
from scheduler.models import Booking

MAX_PERIODS = 3


def hold_period() -> timedelta:
    return timedelta(minutes=int(current_app.config["HOLD_MINUTES"]))


def latest_expiry(booking: Booking) -> datetime:
    return as_utc(booking.created_at) + MAX_PERIODS * hold_period()


def can_extend(booking: Booking) -> bool:
    """Whether another extension would give the family more time."""
    return as_utc(booking.hold_expires_at or now_utc()) < latest_expiry(booking)


def extend_hold(booking: Booking) -> datetime:
    """Hold the time for another full period from now, within the overall limit. Flushes."""
    wanted = min(now_utc() + hold_period(), latest_expiry(booking))
    if booking.hold_expires_at is None or wanted > as_utc(booking.hold_expires_at):
        booking.hold_expires_at = wanted
        booking.updated_at = now_utc()
        db.session.flush()
    return as_utc(booking.hold_expires_at or wanted)
