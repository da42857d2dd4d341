"""The page of a video link that does not open (cancelled, ended, closed) names the
organisation whose meeting it is and has the favicon; an unknown link keeps a neutral name."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from scheduler.booking import meetings
from scheduler.extensions import db
from scheduler.models import Booking
from tests.factories import Factories
from tests.video.helpers import path_of, video_booking
from video import rooms
from video.models import Room

ORGANISATION = {"fi": "Tunturikylän kunta", "sv": "Tunturikylä kommun", "en": "Tunturikylä"}


def _named(booking: Booking) -> None:
    booking.organisation.name = ORGANISATION


def _assert_names_the_organisation(page: str, name: str) -> None:
    head = page.split("</head>")[0]
    assert f"– {name}</title>" in head and "Etäaika" not in head
    assert f'<p class="video-brand">{name}</p>' in page
    assert "Etäaika" not in page
    assert 'rel="icon" href="/static/favicon.svg"' in head


def test_a_cancelled_meetings_link_names_the_organisation(app: Flask, make: Factories) -> None:
    booking = video_booking(make)
    _named(booking)
    link = meetings.family_join_link(booking)
    assert link is not None
    meetings.close_room(booking)
    db.session.commit()
    client = app.test_client()
    page = client.get(path_of(link) + "?lang=sv")
    assert page.status_code == 410
    _assert_names_the_organisation(page.text, "Tunturikylä kommun")
    # A link with no room behind it names no organisation: a neutral name.
    unknown = client.get("/video/join/" + "A" * 43)
    assert unknown.status_code == 404
    assert "– Etäaika</title>" in unknown.text and "Tunturikylä" not in unknown.text
    assert 'rel="icon" href="/static/favicon.svg"' in unknown.text


def test_an_ended_meetings_link_names_the_organisation(app: Flask, make: Factories) -> None:
    booking = video_booking(make)
    _named(booking)
    link = meetings.family_join_link(booking)
    assert link is not None
    room = db.session.scalar(db.select(Room).where(Room.booking_id == booking.id))
    assert room is not None
    rooms.end(room)
    db.session.commit()
    page = app.test_client().get(path_of(link) + "?lang=fi")
    assert page.status_code == 410
    _assert_names_the_organisation(page.text, "Tunturikylän kunta")


def test_a_closed_meetings_link_names_the_organisation(app: Flask, make: Factories) -> None:
    booking = video_booking(make, starts_in=-timedelta(days=1))
    _named(booking)
    link = meetings.family_join_link(booking)
    assert link is not None
    db.session.commit()
    page = app.test_client().get(path_of(link) + "?lang=en")
    assert page.status_code == 410
    _assert_names_the_organisation(page.text, "Tunturikylä")
