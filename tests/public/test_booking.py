"""Choosing a time, filling in the form and the confirmation page."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.kernel import as_utc, now_utc
from scheduler.models import AccessLogEntry, Booking, BookingStatus, Organisation
from tests.public.conftest import (
    FAMILY,
    book,
    booking_of,
    hold_first_time,
    service_url,
    slot_values,
)


def held(path: str) -> Booking:
    from scheduler.tokens import token_hash

    token = path.rsplit("/", 1)[1]
    booking = db.session.scalar(select(Booking).where(Booking.hold_token_hash == token_hash(token)))
    assert booking is not None
    db.session.refresh(booking)
    return booking


def test_choosing_a_time_holds_it_and_shows_until_when(
    client: FlaskClient, demo: Organisation
) -> None:
    form = hold_first_time(client)
    booking = held(form)
    assert booking.status == BookingStatus.HELD
    page = client.get(form + "?lang=fi")
    assert page.status_code == 200
    assert "Aika on varattu sinulle klo" in page.text
    assert f'data-expires="{as_utc(booking.hold_expires_at).isoformat()}"' in page.text


def test_family_books_a_time_and_gets_the_manage_link_and_calendar_file(
    client: FlaskClient, demo: Organisation, app: Flask
) -> None:
    token = book(client, q_question="Mistä saan apua?")
    booking = booking_of(token)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.client_name == FAMILY["name"]
    assert booking.client_phone == "+358401234567"
    assert booking.intake_answers == {"question": "Mistä saan apua?"}
    assert booking.identity_subject is None
    page = client.get(f"/manage/{token}/booked?lang=en")
    assert "Your time is booked" in page.text
    assert f"{app.config['PUBLIC_URL']}/manage/{token}" in page.text
    ics = client.get(f"/manage/{token}/calendar.ics")
    assert ics.mimetype == "text/calendar"
    event = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert str(event["UID"]) == booking.uid
    assert event.decoded("DTSTART") == as_utc(booking.start_at)
    assert FAMILY["name"] not in ics.text and FAMILY["email"] not in ics.text


def test_form_errors_are_tied_to_their_fields_and_nothing_is_booked(
    client: FlaskClient, demo: Organisation
) -> None:
    form = hold_first_time(client)
    held(form).service.name_rule = "required"  # the demo's service asks a nickname only
    db.session.commit()
    page = client.post(
        form + "?lang=en", data={"name": "", "email": "not an address", "language": "fi"}
    )
    assert page.status_code == 422
    assert 'role="alert"' in page.text
    assert 'aria-describedby="name-error" aria-invalid="true"' in page.text
    assert '<p class="field-error" id="name-error">' in page.text
    assert 'id="email-error"' in page.text and 'id="consent-error"' in page.text
    assert held(form).status == BookingStatus.HELD


def test_family_must_be_reachable_by_email_or_phone(
    client: FlaskClient, demo: Organisation
) -> None:
    form = hold_first_time(client)
    page = client.post(form + "?lang=en", data={**FAMILY, "email": "", "phone": ""})
    assert page.status_code == 422
    assert "Give an e-mail address or a phone number, or both." in page.text
    bad_phone = client.post(form + "?lang=en", data={**FAMILY, "phone": "123"})
    assert bad_phone.status_code == 422 and 'id="phone-error"' in bad_phone.text


def test_required_intake_questions_must_be_answered(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    form = hold_first_time(client, "lastenvalvoja")
    booking = held(form)
    booking.identity_subject, booking.identity_name = "subject-1", "Maija Meikäläinen"
    db.session.commit()
    page = client.post(form + "?lang=en", data=FAMILY)
    assert page.status_code == 422
    assert 'id="q_topic-error"' in page.text
    done = client.post(form, data={**FAMILY, "q_topic": "contact"})
    assert done.status_code == 303
    booking = db.session.get(Booking, booking.id)
    assert booking is not None
    db.session.refresh(booking)
    assert booking.intake_answers == {"topic": "contact"}
    assert booking.identity_subject == "subject-1"


def test_a_time_taken_meanwhile_sends_the_family_back_with_a_message(
    client: FlaskClient, demo: Organisation, app: Flask
) -> None:
    page = client.get(service_url("palveluneuvonta", lang="en"))
    pekka = re.search(r'<option value="(\d+)">Pekka Mäkelä', page.text)
    assert pekka
    args = {"worker": pekka.group(1)}
    start = slot_values(client.get(service_url("palveluneuvonta", **args)).text)[0]
    first = client.post("/o/tunturikyla/s/palveluneuvonta/hold", data={"start": start, **args})
    assert first.status_code == 303
    other = app.test_client()
    second = other.post(
        "/o/tunturikyla/s/palveluneuvonta/hold?lang=en", data={"start": start, **args}
    )
    assert second.status_code == 303
    assert second.headers["Location"].startswith("/o/tunturikyla/s/palveluneuvonta?")
    back = other.get(second.headers["Location"])
    assert "This time was just booked by someone else" in back.text
    assert start not in slot_values(back.text)


def test_a_hold_that_ran_out_cannot_be_booked(client: FlaskClient, demo: Organisation) -> None:
    form = hold_first_time(client)
    booking = held(form)
    booking.hold_expires_at = now_utc() - timedelta(seconds=1)
    db.session.commit()
    page = client.post(form + "?lang=en", data=FAMILY)
    assert page.status_code == 410
    assert "The reservation of this time ran out" in page.text
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(
                Booking.status == BookingStatus.CONFIRMED,
                Booking.client_name == FAMILY["name"],
            )
        )
        == 0
    )


def test_family_can_ask_for_more_time_and_keeps_what_it_wrote(
    client: FlaskClient, demo: Organisation
) -> None:
    form = hold_first_time(client)
    booking = held(form)
    booking.hold_expires_at = now_utc() + timedelta(minutes=1)
    db.session.commit()
    page = client.post(form + "?lang=en", data={"name": "Maija", "extend": "1"})
    assert page.status_code == 200
    assert 'value="Maija"' in page.text
    assert "You have more time to fill in the form." in page.text
    assert as_utc(held(form).hold_expires_at) > now_utc() + timedelta(minutes=9)


def test_more_time_is_limited_to_three_hold_periods(
    client: FlaskClient, demo: Organisation
) -> None:
    form = hold_first_time(client)
    booking = held(form)
    booking.created_at = now_utc() - timedelta(minutes=25)
    booking.hold_expires_at = now_utc() + timedelta(minutes=1)
    db.session.commit()
    page = client.post(form, data={"extend": "1"})
    expiry = as_utc(held(form).hold_expires_at)
    assert expiry == as_utc(booking.created_at) + timedelta(minutes=30)
    assert 'name="extend"' not in page.text


def test_choosing_another_time_gives_the_held_time_back(
    client: FlaskClient, demo: Organisation
) -> None:
    form = hold_first_time(client)
    booking = held(form)
    response = client.post(form + "/release")
    assert response.status_code == 303
    assert response.headers["Location"] == "/o/tunturikyla/s/palveluneuvonta"
    db.session.refresh(booking)
    assert booking.status == BookingStatus.EXPIRED


def test_service_with_strong_identification_asks_for_it_before_the_form(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    form = hold_first_time(client, "lastenvalvoja")
    page = client.get(form + "?lang=en")
    assert page.status_code == 200
    assert "This service needs strong identification" in page.text
    assert 'name="name"' not in page.text
    # Posting the form directly does not get round it.
    refused = client.post(form, data={**FAMILY, "q_topic": "contact"})
    assert refused.status_code == 200 and 'name="name"' not in refused.text
    assert held(form).status == BookingStatus.HELD


def test_booking_writes_an_access_log_row_as_the_client(
    client: FlaskClient, demo: Organisation
) -> None:
    token = book(client)
    booking = booking_of(token)
    row = db.session.scalar(
        select(AccessLogEntry).where(
            AccessLogEntry.target == f"booking:{booking.id}",
            AccessLogEntry.action == "booking.create",
        )
    )
    assert row is not None
    assert (row.actor, row.role) == ("client:booking-form", "client")
