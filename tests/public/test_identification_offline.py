"""Where strong identification cannot be had, the family learns it before holding a time
and is given the unit's phone number and hours; in development a stand-in service with
test persons identifies the family, and it never exists in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from scheduler import create_app
from scheduler.extensions import db
from scheduler.models import AccessLogEntry, Booking, BookingStatus, Organisation
from scheduler.tokens import token_hash
from tests.conftest import BASE_CONFIG
from tests.public.conftest import FAMILY, booking_of, hold_first_time, service_url, slot_values


def bookings() -> int:
    return int(db.session.scalar(select(func.count(Booking.id))) or 0)


def test_without_identification_the_service_page_says_so_before_any_time_is_held(
    client: FlaskClient, demo: Organisation
) -> None:
    page = client.get(service_url("lastenvalvoja", lang="fi"))
    assert page.status_code == 200
    assert "Vahva tunnistautuminen ei ole juuri nyt käytettävissä" in page.text
    assert 'href="tel:+358-16-1234567"' in page.text and "016 1234567" in page.text
    assert "ma–pe klo 9–15" in page.text
    assert slot_values(page.text) == []  # no time to hold, so none runs out


def test_a_hold_of_a_service_whose_identification_is_unavailable_is_refused(
    client: FlaskClient, demo: Organisation, app: Flask
) -> None:
    app.config["DEV_TOOLS"] = True
    start = slot_values(client.get(service_url("lastenvalvoja")).text)[0]
    app.config["DEV_TOOLS"] = False
    before = bookings()
    refused = client.post("/o/tunturikyla/s/lastenvalvoja/hold", data={"start": start})
    assert refused.status_code == 303
    assert refused.headers["Location"].startswith("/o/tunturikyla/s/lastenvalvoja")
    assert bookings() == before
    client.get("/?lang=sv")
    told = client.get(refused.headers["Location"])
    assert "Stark identifiering är inte tillgänglig just nu" in told.text


def test_the_tray_gives_the_units_phone_and_hours_and_names_the_services_booked_by_phone(
    client: FlaskClient, demo: Organisation
) -> None:
    tray = client.get("/?lang=sv").text
    assert "Kontakta oss" in tray
    assert 'href="tel:+358-16-1234567"' in tray and "mån–fre kl. 9–15" in tray
    assert tray.count("inte tillgänglig just nu: boka per telefon") == 3


def test_services_without_identification_stay_bookable_online(
    client: FlaskClient, demo: Organisation
) -> None:
    page = client.get(service_url("palveluneuvonta", lang="fi"))
    assert slot_values(page.text) and "ei ole juuri nyt käytettävissä" not in page.text


def test_the_development_identification_records_a_test_person(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    tray = client.get("/?lang=en").text
    assert "Development version" in tray and 'href="/dev/messages"' in tray
    assert "not available right now" not in tray
    form = hold_first_time(client, "lastenvalvoja")
    asked = client.post(f"{form}/identify")
    assert asked.status_code == 303 and asked.headers["Location"] == "/dev/identify"
    page = client.get("/dev/identify?lang=en")
    assert "Development identification" in page.text and "010280-952L" in page.text
    back = client.post("/dev/identify", data={"person": "150385-9068"})
    assert back.status_code == 303 and back.headers["Location"] == form
    filled = client.get(form + "?lang=en")
    assert 'value="Anna-Stina Testare"' in filled.text
    done = client.post(form, data={**FAMILY, "q_topic": "custody"})
    assert done.status_code == 303
    booking = booking_of(done.headers["Location"].split("/")[2])
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.identity_subject == "dev:150385-9068"
    logged = db.session.scalars(
        select(AccessLogEntry.action).where(AccessLogEntry.target == f"booking:{booking.id}")
    ).all()
    assert logged == ["booking.identify", "booking.create"]


def test_an_unknown_test_person_identifies_nobody(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    form = hold_first_time(client, "lastenvalvoja")
    client.post(f"{form}/identify")
    refused = client.post("/dev/identify", data={"person": "131052-308T"})
    assert refused.status_code == 422
    token = form.rsplit("/", 1)[1]
    held = db.session.scalar(select(Booking).where(Booking.hold_token_hash == token_hash(token)))
    assert held is not None and held.identity_subject is None


def test_development_pages_do_not_exist_unless_turned_on(
    client: FlaskClient, demo: Organisation
) -> None:
    assert client.get("/dev/messages").status_code == 404
    assert client.get("/dev/identify").status_code == 404
    assert client.post("/dev/identify", data={"person": "010280-952L"}).status_code == 404
    assert "Development version" not in client.get("/?lang=en").text


def test_production_refuses_to_start_with_the_development_tools(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="DEV_TOOLS"):
        create_app(
            {
                **BASE_CONFIG,
                "ENV_NAME": "production",
                "SECRET_KEY": "a-real-secret-of-production",
                "DEV_TOOLS": True,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
            }
        )
