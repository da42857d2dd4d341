"""What the booking domain tells people: builds plain message contexts from bookings
and queues them in the outbox (``notifications.enqueue``) in the same transaction."""

from __future__ import annotations

from datetime import datetime

from scheduler.models import Booking


def booking_confirmed(booking: Booking, manage_token: str) -> None:
    """Queue the confirmation and schedule the reminders of a new booking."""


def booking_cancelled(booking: Booking) -> None:
    """Queue the cancellation notice and drop the booking's pending reminders."""


def booking_moved(booking: Booking, old_start: datetime) -> None:
    """Queue the change notice and re-time the booking's pending reminders."""
