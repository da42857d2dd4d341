"""Follow-up series: the meetings are previewed with their conflicts, the free ones are
booked as ordinary bookings, and the confirmation goes out once."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

import notifications
from notifications import OutboxMessage
from notifications.rendering import render_email
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, as_utc
from scheduler.models import Booking, BookingStatus
from scheduler.web.i18n import format_date
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


def _choices(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]+)"', html)


def _series_rows() -> list[Booking]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Booking).where(Booking.series_id.is_not(None)).order_by(Booking.start_at)
        )
    )


def test_another_time_is_picked_for_a_meeting_that_does_not_fit(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(horizon_days=120)
    pro = make.professional(service)
    staff.booking(service, pro, at_local(3 + 14, 10))  # the third meeting is taken
    sign_in(staff.user("worker", professional=pro))
    data = form(pro, service, at_local(3, 10), repeat="1", count="4")
    preview = client.post("/staff/book?lang=en", data=data)
    assert preview.status_code == 200
    assert _choices(preview.text, "alt_0") == [] and _choices(preview.text, "alt_1") == []
    offered = _choices(preview.text, "alt_2")
    assert offered[0] == "skip" and len(offered) > 1
    assert 'id="alt_2" name="alt_2" value="skip" checked' in preview.text  # skip by default
    others = [datetime.fromisoformat(value) for value in offered[1:]]
    taken = at_local(3 + 14, 10)
    assert all(abs(o - taken) <= timedelta(days=3) and o != taken for o in others)
    nearest = min(others, key=lambda o: abs(o - taken))
    done = client.post(
        "/staff/book",
        data={**data, "series_confirmed": "1", "alt_2": nearest.isoformat()},
    )
    assert done.status_code == 302
    starts = [as_utc(b.start_at) for b in _series_rows()]
    assert starts == [at_local(3, 10), at_local(10, 10), nearest, at_local(24, 10)]
    assert len({b.series_id for b in _series_rows()}) == 1


def test_a_picked_time_taken_meanwhile_is_refused_and_books_nothing(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(horizon_days=120)
    pro = make.professional(service)
    staff.booking(service, pro, at_local(3 + 7, 10))  # the second meeting is taken
    sign_in(staff.user("worker", professional=pro))
    data = form(pro, service, at_local(3, 10), repeat="1", count="3")
    preview = client.post("/staff/book?lang=en", data=data)
    picked = _choices(preview.text, "alt_1")[1]
    staff.booking(service, pro, datetime.fromisoformat(picked))  # someone books it first
    db.session.commit()
    refused = client.post(
        "/staff/book?lang=en", data={**data, "series_confirmed": "1", "alt_1": picked}
    )
    assert refused.status_code == 422
    assert "The time you picked was taken meanwhile" in refused.text
    assert picked not in _choices(refused.text, "alt_1")  # the choices are fresh
    assert _series_rows() == []  # nothing of the series was booked
    tampered = client.post("/staff/book", data={**data, "series_confirmed": "1", "alt_1": "soon"})
    assert tampered.status_code == 422 and _series_rows() == []


def test_the_confirmation_and_the_staff_page_list_every_meeting(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(horizon_days=120)
    pro = make.professional(service)
    sign_in(staff.user("worker", professional=pro))
    data = form(pro, service, at_local(3, 10), repeat="2", count="3", language="sv")
    done = client.post("/staff/book?lang=fi", data={**data, "series_confirmed": "1"})
    assert done.status_code == 302
    rows = _series_rows()
    assert len(rows) == 3
    sent = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.template == "confirmation")
        .order_by(OutboxMessage.channel)
    ).all()
    assert [m.channel for m in sent] == ["email", "sms"]
    email, sms = (notifications.preview(m) for m in sent)
    for row in rows:
        day = format_date(row.start_at, "sv", HELSINKI)
        assert f"{day} kl. 10.00" in email.text and f"{day} kl. 10.00" in (email.html or "")
        assert f"{day} kl. 10.00" in sms.text
    assert "Alla möten i serien" in email.text
    assert email.subject == "Tiderna i din mötesserie är bekräftade"
    page = client.get(done.headers["Location"] + "?lang=fi")
    assert "Sarjan tapaamiset" in page.text
    for row in rows:
        assert f"{format_date(row.start_at, 'fi', HELSINKI)} klo 10.00" in page.text
    assert page.text.count("tulossa") == 3 and "(tämä varaus)" in page.text


def test_the_worker_is_told_of_a_series_once_with_every_meeting(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    """A unit administrator books a series for a worker: the worker gets one notice that
    lists the meetings, not one notice per meeting."""
    service = make.service(horizon_days=120)
    pro = make.professional(service, email="liisa@example.org", languages=["fi"])
    sign_in(staff.user("unit_admin", unit=service.unit))
    data = form(pro, service, at_local(3, 10), repeat="1", count="3")
    done = client.post("/staff/book", data={**data, "series_confirmed": "1"})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    notices = list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.template == "staff_notice",
                OutboxMessage.recipient == "liisa@example.org",
            )
        )
    )
    assert len(notices) == 1
    (notice,) = notices
    assert notice.context["event"] == "booked" and len(notice.context["series"]) == 3
    text = render_email("staff_notice", "fi", notice.context).text
    assert "sinulle on varattu sarjan tapaamisia" in text and "Varatut ajat:" in text
    first = format_date(at_local(3, 10), "fi", HELSINKI)
    assert first in text
