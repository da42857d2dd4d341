"""Both parents on the family pages: the booking form asks for the other parent, who
answers through a page of their own; the first parent's "cancel" leaves the meeting to
the other parent."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import notifications
from scheduler.extensions import db
from scheduler.models import (
    AccessLogEntry,
    Attendance,
    Booking,
    BookingParticipant,
    BookingStatus,
    Organisation,
)
from tests.public.conftest import FAMILY, booking_of, hold_first_time

SECOND = {
    "both_parents": "yes",
    "second_name": "Matti Virtanen",
    "second_email": "matti@example.org",
    "second_phone": "050 765 4321",
    "second_language": "sv",
}


def _held_for_both(client: FlaskClient) -> tuple[str, Booking]:
    """The child supervisor's booking form, the first parent identified."""
    from scheduler.tokens import token_hash

    form = hold_first_time(client, "lastenvalvoja")
    booking = db.session.scalar(
        select(Booking).where(Booking.hold_token_hash == token_hash(form.rsplit("/", 1)[1]))
    )
    assert booking is not None
    booking.identity_subject, booking.identity_name = "subject-1", "Maija Meikäläinen"
    db.session.commit()
    return form, booking


def _book_both(client: FlaskClient) -> tuple[str, BookingParticipant]:
    form, _booking = _held_for_both(client)
    done = client.post(form, data={**FAMILY, "q_topic": "contact", **SECOND})
    assert done.status_code == 303, done.text
    match = re.fullmatch(r"/manage/([A-Za-z0-9_-]+)/booked", done.headers["Location"])
    assert match
    (second,) = db.session.scalars(select(BookingParticipant)).all()
    return match.group(1), second


def _attend_token(second: BookingParticipant) -> str:
    sealed = notifications.sealed_secrets(f"booking:{second.booking.uid}:p{second.id}")
    assert sealed is not None
    return sealed["manage_url"].rsplit("/", 1)[1]


def test_the_form_asks_for_the_other_parent_who_gets_their_own_link(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    form, _booking = _held_for_both(client)
    page = client.get(form + "?lang=sv")
    assert "Deltar båda föräldrarna?" in page.text and 'id="second_email"' in page.text

    token, second = _book_both(client)

    assert (second.name, second.email, second.phone, second.language) == (
        "Matti Virtanen",
        "matti@example.org",
        "+358507654321",
        "sv",
    )
    assert second.manage_token_hash != booking_of(token).manage_token_hash
    shown = client.get(f"/manage/{token}?lang=fi").text
    assert "matti@example.org" not in shown and "507654321" not in shown


def test_the_first_parents_contact_for_the_other_is_refused_and_nothing_saved(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    form, booking = _held_for_both(client)
    for lang, words in (
        ("fi", "Toisella vanhemmalla on oltava omat yhteystiedot"),
        ("sv", "Den andra föräldern behöver egna kontaktuppgifter"),
        ("en", "The other parent needs contact details of their own"),
    ):
        refused = client.post(
            f"{form}?lang={lang}",
            data={**FAMILY, "q_topic": "contact", **SECOND, "second_phone": FAMILY["phone"]},
        )
        assert refused.status_code == 422
        assert 'id="second_phone-error"' in refused.text and words in refused.text
    db.session.refresh(booking)
    assert booking.status == BookingStatus.HELD
    assert db.session.scalars(select(BookingParticipant)).all() == []


def test_a_second_client_on_a_service_for_one_is_refused(
    client: FlaskClient, demo: Organisation
) -> None:
    form = hold_first_time(client, "palveluneuvonta")
    page = client.get(form)
    assert 'id="second_email"' not in page.text
    refused = client.post(form + "?lang=en", data={**FAMILY, **SECOND})
    assert refused.status_code == 422
    assert "This service is booked for one client only." in refused.text
    assert db.session.scalars(select(BookingParticipant)).all() == []
    from scheduler.tokens import token_hash

    held = db.session.scalar(
        select(Booking).where(Booking.hold_token_hash == token_hash(form.rsplit("/", 1)[1]))
    )
    assert held is not None and held.status == BookingStatus.HELD


def test_the_other_parent_answers_through_their_own_page(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    _token, second = _book_both(client)
    attend = _attend_token(second)

    page = client.get(f"/attend/{attend}?lang=sv")
    assert page.status_code == 200
    assert "Din inbjudan" in page.text and "Matti Virtanen" in page.text
    assert "maija@example.org" not in page.text and "401234567" not in page.text
    assert client.get("/attend/not-a-link").status_code == 404
    assert client.post(f"/attend/{attend}", data={"attending": "maybe"}).status_code == 400

    declined = client.post(f"/attend/{attend}?lang=en", data={"attending": "no"})
    assert declined.status_code == 303
    db.session.refresh(second)
    assert second.attendance == Attendance.DECLINED
    assert second.booking.status == BookingStatus.CONFIRMED  # the meeting goes on
    views = db.session.scalars(
        select(AccessLogEntry.target).where(AccessLogEntry.action == "participant.view")
    ).all()
    assert views == [f"participant:{second.id}"]


def test_the_first_parent_cancelling_leaves_the_meeting_to_the_other(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    token, second = _book_both(client)
    asked = client.get(f"/manage/{token}/cancel?lang=en")
    assert "only you leave: the meeting is held with the other parent" in asked.text

    done = client.post(f"/manage/{token}/cancel?lang=en", data={})
    assert done.status_code == 303
    booking = booking_of(token)
    assert booking.status == BookingStatus.CONFIRMED and booking.client_left_at is not None
    page = client.get(f"/manage/{token}?lang=en").text
    assert "You have said that you will not take part." in page
    assert f"/manage/{token}/move" not in page
    pending = notifications.OutboxMessage.status == notifications.Status.PENDING
    to_first = db.session.scalars(
        select(notifications.OutboxMessage).where(
            notifications.OutboxMessage.group_key == f"booking:{booking.uid}", pending
        )
    ).all()
    assert to_first == []
    to_second = db.session.scalars(
        select(notifications.OutboxMessage.template).where(
            notifications.OutboxMessage.group_key == f"booking:{booking.uid}:p{second.id}",
            pending,
        )
    ).all()
    assert "reminder" in to_second
