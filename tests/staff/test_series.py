"""Follow-up series: the meetings are previewed with their conflicts, the free ones are
booked as ordinary bookings, and the confirmation goes out once."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from notifications import OutboxMessage
from scheduler.extensions import db
from scheduler.models import Booking, BookingStatus
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local
from tests.staff.test_book_for_family import form


def test_a_weekly_series_is_previewed_then_booked_skipping_the_conflict(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(horizon_days=120)
    pro = make.professional(service)
    staff.booking(service, pro, at_local(3 + 14, 10))  # the third meeting is taken
    sign_in(staff.user("worker", professional=pro))
    data = form(pro, service, at_local(3, 10), repeat="1", count="4")
    preview = client.post("/staff/book?lang=en", data=data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and html.count("does not fit</strong>") == 1
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1  # nothing yet
    done = client.post("/staff/book", data={**data, "series_confirmed": "1"})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    series = list(
        db.session.scalars(
            select(Booking).where(Booking.series_id.is_not(None)).order_by(Booking.start_at)
        )
    )
    assert [b.start_at for b in series] == [
        at_local(3, 10),
        at_local(10, 10),
        at_local(24, 10),
    ]
    assert len({b.series_id for b in series}) == 1
    assert all(b.status == BookingStatus.CONFIRMED and b.manage_token_hash for b in series)
    confirmations = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.template == "confirmation", OutboxMessage.channel == "email")
    )
    assert confirmations == 1  # announced once
    reminders = db.session.scalars(
        select(OutboxMessage.group_key).where(OutboxMessage.template == "reminder")
    ).all()
    assert {f"booking:{b.uid}" for b in series} <= set(reminders)  # each its own reminders


def test_a_series_beyond_the_horizon_is_refused_and_books_nothing(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(horizon_days=30)
    pro = make.professional(service)
    sign_in(staff.user("worker", professional=pro))
    until = (at_local(3, 10) + timedelta(weeks=8)).date().isoformat()
    for extra in ({"count": "8"}, {"until": until}, {"count": "1"}, {"count": "3", "until": until}):
        data = {**form(pro, service, at_local(3, 10), repeat="1"), **extra}
        response = client.post("/staff/book", data={**data, "series_confirmed": "1"})
        assert response.status_code == 422, extra
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
