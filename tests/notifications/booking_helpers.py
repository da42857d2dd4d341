"""Booking through the real operations, for the notification tests."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

import notifications
from notifications import OutboxMessage
from scheduler import booking as ops
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_instant
from scheduler.models import Booking, Service
from tests.factories import Factories


def day_ahead(days: int) -> datetime:
    """10.00 Helsinki time ``days`` days from now."""
    day = (datetime.now(HELSINKI) + timedelta(days=days)).date()
    return local_instant(day, time(10), HELSINKI)


def book(
    make: Factories,
    service: Service | None = None,
    start: datetime | None = None,
    language: str = "fi",
    email: str | None = "maija@example.test",
    phone: str | None = "040 123 4567",
    client_name: str = "Maija Meikäläinen",
    **service_fields: Any,
) -> tuple[Booking, str]:
    """Hold and confirm a time; returns the booking and its manage token (not committed)."""
    if service is None:
        service = make.service(**service_fields)
        make.professional(service, email="worker@kunta.test", name="Liisa Sosiaalityöntekijä")
    _held, hold_token = ops.hold(service, start or day_ahead(3))
    client = ops.ClientDetails(
        name=client_name, email=email, phone=phone, language=language, intake_answers={}
    )
    booking, manage_token = ops.confirm(hold_token, client)
    return booking, manage_token


def outbox(**where: Any) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for key, value in where.items():
        query = query.where(getattr(OutboxMessage, key) == value)
    return list(db.session.scalars(query))


def awake(now: datetime) -> datetime:
    """``now``, or the end of the SMS quiet hours when ``now`` falls in them: the moment
    an SMS made now goes out (at night it waits for the morning)."""
    window = notifications.rules.quiet_window(now, HELSINKI, notifications.rules.QUIET_HOURS)
    return now if window is None else window[1]


def dispatch(now: datetime | None = None) -> notifications.DispatchReport:
    """Run the dispatcher as the worker would: after the test's own transaction ended."""
    db.session.commit()
    return notifications.dispatch_due(now=now)


def dispatch_immediate() -> notifications.DispatchReport:
    """Send what a booking sends at once (e-mail and SMS alike), whatever the hour the
    tests run: at night its SMS waits for the end of the quiet hours, so does this."""
    return dispatch(awake(datetime.now(UTC)))


def reminder_time(booking: Booking) -> datetime:
    """A dispatch clock at which the booking's (24 h) reminders are due, before it starts."""
    return booking.start_at - timedelta(hours=23)
