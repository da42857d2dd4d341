"""Two "cancel this and the later meetings" of one series at the same moment, on
PostgreSQL: the series' rows are locked first, so one cancels and tells the family once,
the other gets a clear 409 and changes nothing."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from notifications.models import OutboxMessage
from scheduler.extensions import db
from scheduler.models import AccessLogEntry, Booking, BookingStatus
from tests.booking.test_change_races import _at_once
from tests.factories import Factories
from tests.staff.conftest import Staff
from tests.staff.series_helpers import book_a_series, token_of


def test_two_cancels_of_the_following_meetings_at_once_tell_the_family_once(
    race_app: Flask, make: Factories
) -> None:
    meetings = book_a_series(make, Staff(make), count=4)
    token = token_of(meetings[1])
    db.session.remove()
    url = f"/api/v1/manage/{token}/cancel"
    statuses = _at_once(
        race_app,
        [lambda c: c.post(url, json={"scope": "following"}).status_code for _ in range(2)],
    )
    assert sorted(statuses) == [200, 409]
    rows = db.session.scalars(select(Booking).order_by(Booking.start_at)).all()
    assert [b.status for b in rows] == [BookingStatus.CONFIRMED] + [BookingStatus.CANCELLED] * 3
    notices = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.template == "cancelled", OutboxMessage.channel == "email")
    )
    assert notices == 1
    cancels = db.session.scalar(
        select(func.count())
        .select_from(AccessLogEntry)
        .where(AccessLogEntry.action == "booking.cancel")
    )
    assert cancels == 3
