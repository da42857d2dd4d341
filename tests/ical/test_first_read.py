"""A calendar is read the moment it is connected and the administrator sees the outcome
at once; a feed never read hides no one; a feed that goes stale is listed on the admin
home and its administrators get a staff notice, once per stale spell."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from notifications import OutboxMessage, preview
from scheduler.availability import candidates
from scheduler.availability.withheld import withheld_professionals
from scheduler.extensions import db
from scheduler.ical.manage import add_feed
from scheduler.ical.sync import refresh_feed
from scheduler.kernel import now_utc
from scheduler.models import CalendarFeed, ExternalBusy, Professional, StaffUser
from tests.factories import Factories
from tests.ical.conftest import FeedServer
from tests.ical.helpers import ics
from tests.ical.test_sync import tomorrow_at
from tests.staff.conftest import Staff, sign_in, staff  # noqa: F401  (the fixtures)


@pytest.fixture
def admin(make: Factories, staff: Staff, sign_in) -> tuple[Professional, StaffUser]:  # noqa: F811
    service = make.service()
    pro = make.professional(service)
    user = staff.user("org_admin", unit=service.unit, email="paakayttaja@example.org")
    db.session.commit()
    sign_in(user)
    return pro, user


def connect(client: FlaskClient, pro: Professional, url: str) -> str:
    response = client.post(
        f"/staff/admin/workers/{pro.id}/feeds?lang=en", data={"url": url, "label": "Outlook"}
    )
    assert response.status_code == 302
    return html.unescape(client.get(response.headers["Location"]).text)


def test_a_connected_calendar_is_read_at_once_and_the_result_shown(
    client: FlaskClient, admin: tuple[Professional, StaffUser], feed_server: FeedServer
) -> None:
    pro, _user = admin
    feed_server.state.bodies["/cal.ics"] = ics(
        (tomorrow_at(9), tomorrow_at(10), "a"), (tomorrow_at(12), tomorrow_at(13), "b")
    )
    page = connect(client, pro, feed_server.url("/cal.ics"))
    assert "The calendar was connected and read: 2 busy times in the coming weeks." in page
    # Shown next to the calendars, where the page opens (#calendars), not above the fold.
    assert page.index("connected and read") > page.index('id="calendars"')
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.professional_id == pro.id))
    assert feed is not None and feed.last_success_at is not None
    assert feed.last_attempt_at is not None  # the poll job does not read it again at once
    busy = db.session.scalars(select(ExternalBusy).where(ExternalBusy.feed_id == feed.id))
    assert len(list(busy)) == 2


def test_a_mistyped_calendar_is_reported_at_once_and_hides_no_one(
    client: FlaskClient, admin: tuple[Professional, StaffUser], feed_server: FeedServer
) -> None:
    pro, _user = admin
    page = connect(client, pro, feed_server.url("/no-such-calendar.ics"))
    assert "The calendar was connected, but it could not be read:" in page
    assert (
        "The worker's times stay bookable meanwhile." in page
        and "Check the address." not in page.replace("Check the address or try again later.", "")
    )
    assert withheld_professionals([pro.id]) == set()
    service = pro.services[0]
    assert [p.id for p in candidates.candidates(service)] == [pro.id]


def test_a_feed_that_goes_stale_is_listed_and_its_administrators_are_told_once(
    app: Flask,
    client: FlaskClient,
    admin: tuple[Professional, StaffUser],
    feed_server: FeedServer,
) -> None:
    pro, user = admin
    feed_server.state.bodies["/cal.ics"] = ics((tomorrow_at(9), tomorrow_at(10), "a"))
    feed = add_feed(pro, feed_server.url("/cal.ics"), "Outlook")
    db.session.commit()
    refresh_feed(feed.id)
    home = client.get("/staff/admin?lang=en").text
    assert "Calendars that cannot be read" not in home

    stored = db.session.get(CalendarFeed, feed.id)
    assert stored is not None
    stored.last_success_at = now_utc() - timedelta(hours=30)
    stored.url = feed_server.url("/500")
    db.session.commit()
    refresh_feed(feed.id)
    refresh_feed(feed.id)  # still failing: no second notice for the same spell
    notices = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "feed_stale")
    ).all()
    assert [(m.recipient, m.context["professional_name"]) for m in notices] == [
        (user.email, pro.name)
    ]
    assert notices[0].context["withheld"] is True
    sent = preview(notices[0])
    assert sent.subject == f"Kalenteria ei saada luettua: {pro.name}"
    assert f"/staff/admin/workers/{pro.id}#calendars" in sent.text
    assert "aikoja ei tarjota varattavaksi" in sent.text

    home = html.unescape(client.get("/staff/admin?lang=en").text)
    assert "Calendars that cannot be read" in home
    assert f"{pro.name}: Outlook" in home and "not offered for booking" in home
    assert f'/staff/admin/workers/{pro.id}#calendars"' in home
