"""A parent who said they will not take part changes their answer through their own link
while the meeting is ahead, and the worker is told each time."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import notifications
from scheduler.extensions import db
from scheduler.models import Attendance, BookingStatus, Organisation
from tests.public.conftest import booking_of
from tests.public.test_both_parents import _attend_token, _book_both


def _staff_events() -> list[str]:
    rows = db.session.scalars(
        select(notifications.OutboxMessage).where(
            notifications.OutboxMessage.template == "staff_notice"
        )
    )
    return [m.context["event"] for m in rows if m.context["event"] != "booked"]


def test_the_other_parent_declines_and_comes_back_through_their_own_page(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    _token, second = _book_both(client)
    attend = _attend_token(second)
    assert client.post(f"/attend/{attend}", data={"attending": "no"}).status_code == 303
    page = client.get(f"/attend/{attend}?lang=sv").text
    assert "Du har sagt att du inte deltar." in page and 'value="yes"' in page
    assert _staff_events() == ["declined"]

    back = client.post(f"/attend/{attend}?lang=fi", data={"attending": "yes"})
    assert back.status_code == 303
    db.session.refresh(second)
    assert second.attendance == Attendance.CONFIRMED
    page = client.get(f"/attend/{attend}?lang=en").text
    assert "You have said that you will take part." in page
    assert _staff_events() == ["declined", "rejoined"]


def test_the_first_parent_who_left_comes_back_through_the_manage_page(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    token, second = _book_both(client)
    assert client.post(f"/manage/{token}/cancel", data={}).status_code == 303
    assert _staff_events() == ["declined"]
    for lang, words in (
        ("fi", "Osallistun sittenkin"),
        ("sv", "Jag deltar ändå"),
        ("en", "I will take part after all"),
    ):
        page = client.get(f"/manage/{token}?lang={lang}").text
        assert words in page and f"/manage/{token}/rejoin" in page
        assert "matti@example.org" not in page and "507654321" not in page

    back = client.post(f"/manage/{token}/rejoin?lang=en")
    assert back.status_code == 303
    booking = booking_of(token)
    assert booking.client_left_at is None and booking.status == BookingStatus.CONFIRMED
    page = client.get(f"/manage/{token}?lang=en").text
    assert "Thank you. You will take part." in page
    assert "I will take part after all" not in page and f"/manage/{token}/move" in page
    assert _staff_events() == ["declined", "rejoined"]
    db.session.refresh(second)
    assert second.attendance != Attendance.DECLINED


def test_coming_back_to_a_cancelled_meeting_is_refused(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    token, second = _book_both(client)
    attend = _attend_token(second)
    client.post(f"/attend/{attend}", data={"attending": "no"})
    client.post(f"/manage/{token}/cancel", data={})  # nobody is left: cancelled
    assert booking_of(token).status == BookingStatus.CANCELLED
    refused = client.post(f"/manage/{token}/rejoin?lang=en", follow_redirects=True)
    assert "This booking is already cancelled or closed." in refused.text
    page = client.get(f"/manage/{token}?lang=en").text
    assert "I will take part after all" not in page
    assert booking_of(token).status == BookingStatus.CANCELLED
    assert "rejoined" not in _staff_events()
