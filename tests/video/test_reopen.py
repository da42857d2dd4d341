"""No surprise endings: a cancelled meeting's links say it was cancelled; a meeting the
worker ended can be reopened until its join window closes, and the agenda shows which."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from scheduler.booking import meetings
from scheduler.extensions import db
from scheduler.models import Professional
from tests.factories import Factories
from tests.staff.conftest import Staff, sign_in, staff  # noqa: F401  (the fixtures)
from tests.video.helpers import path_of, video_booking
from video import rooms
from video.models import Room


def _room(booking_id: int) -> Room:
    room = db.session.query(Room).filter_by(booking_id=booking_id).one()
    db.session.refresh(room)
    return room


def test_a_cancelled_meetings_link_says_it_was_cancelled(app: Flask, make: Factories) -> None:
    booking = video_booking(make)
    link = meetings.family_join_link(booking)
    host = meetings.worker_join_link(booking)
    assert link is not None and host is not None
    meetings.close_room(booking)
    db.session.commit()
    client = app.test_client()
    page = client.get(path_of(link) + "?lang=en")
    assert page.status_code == 410
    assert "This meeting was cancelled" in page.text and "has ended" not in page.text
    worker_page = client.get(path_of(host) + "?lang=en")
    assert "Reopen the meeting" not in worker_page.text
    assert client.post(path_of(host) + "/reopen").status_code == 303
    assert _room(booking.id).ended_at is not None  # a cancelled meeting stays closed


def test_the_worker_reopens_an_ended_meeting_and_every_link_works_again(
    app: Flask, make: Factories
) -> None:
    booking = video_booking(make)
    link = meetings.family_join_link(booking)
    host = meetings.worker_join_link(booking)
    assert link is not None and host is not None
    rooms.end(_room(booking.id))
    db.session.commit()
    client = app.test_client()
    ended = client.get(path_of(link) + "?lang=fi")
    assert ended.status_code == 410 and "päättynyt" in ended.text
    assert "Avaa tapaaminen uudelleen" not in ended.text  # only the worker may
    offered = client.get(path_of(host) + "?lang=fi")
    assert "Avaa tapaaminen uudelleen" in offered.text
    reopened = client.post(path_of(host) + "/reopen")
    assert reopened.status_code == 303 and reopened.headers["Location"] == path_of(host)
    assert _room(booking.id).ended_at is None
    assert client.get(path_of(link)).status_code == 200


def test_an_ended_meeting_cannot_be_reopened_once_its_window_closed(
    app: Flask, make: Factories
) -> None:
    booking = video_booking(make, starts_in=-timedelta(hours=2), length=timedelta(minutes=45))
    host = meetings.worker_join_link(booking)
    assert host is not None
    rooms.end(_room(booking.id))
    db.session.commit()
    client = app.test_client()
    assert "Reopen the meeting" not in client.get(path_of(host) + "?lang=en").text
    client.post(path_of(host) + "/reopen")
    assert _room(booking.id).ended_at is not None


def test_the_agenda_shows_an_ended_meeting_as_ended_with_a_way_to_reopen_it(
    make: Factories,
    staff: Staff,  # noqa: F811
    sign_in,  # noqa: F811
) -> None:
    booking = video_booking(make)
    pro = db.session.get(Professional, booking.professional_id)
    assert pro is not None
    client: FlaskClient = sign_in(staff.user("worker", professional=pro))
    db.session.commit()
    before = client.get("/staff/agenda?view=day&lang=en").text
    assert "Join the video meeting" in before and "You ended the video meeting." not in before
    rooms.end(_room(booking.id))
    db.session.commit()
    after = client.get("/staff/agenda?view=day&lang=en").text
    assert "You ended the video meeting." in after
    assert "Join the video meeting" not in after
    assert '/reopen"' in after and "Reopen the video meeting" in after
