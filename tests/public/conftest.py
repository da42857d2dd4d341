"""Fixtures of the family pages: the demo organisation, and helpers that play the family."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.demo import create_demo
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date, now_utc
from scheduler.models import Booking, Organisation
from tests.catalogues import compile_public_catalogues


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> Iterator[None]:
    """The public catalogues compiled, as ``make install`` does, so pages speak fi and sv."""
    compile_public_catalogues()
    yield


@pytest.fixture
def demo(app: Flask) -> Organisation:
    """The demo municipality (five services, eight workers), committed."""
    create_demo()
    db.session.commit()
    org = db.session.scalar(select(Organisation).where(Organisation.slug == "tunturikyla"))
    assert org is not None
    return org


@pytest.fixture
def dev_tools(app: Flask) -> Flask:
    """The development tools on (``make run``): identification with test persons, and the
    page of messages sent."""
    app.config["DEV_TOOLS"] = True
    return app


def next_monday() -> date:
    """A week that is always bookable: the next one."""
    today = local_date(now_utc(), HELSINKI)
    return today + timedelta(days=7 - today.weekday())


def slot_values(html: str) -> list[str]:
    """The start times offered as buttons of the week view."""
    return re.findall(r'name="start" value="([^"]+)"', html)


def service_url(slug: str, **args: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"week": next_monday().isoformat(), **args}.items())
    return f"/o/tunturikyla/s/{slug}?{query}"


def hold_first_time(client: FlaskClient, slug: str = "palveluneuvonta", **args: str) -> str:
    """Choose the first free time of next week; the booking form's path."""
    page = client.get(service_url(slug, **args))
    assert page.status_code == 200
    start = slot_values(page.text)[0]
    response = client.post(f"/o/tunturikyla/s/{slug}/hold", data={"start": start, **args})
    assert response.status_code == 303, response.text
    location = response.headers["Location"]
    assert location.startswith("/book/")
    return location


FAMILY = {
    "name": "Maija Meikäläinen",
    "email": "maija@example.org",
    "phone": "040 123 4567",
    "language": "fi",
    "consent": "y",
}


def book(client: FlaskClient, slug: str = "palveluneuvonta", **fields: str) -> str:
    """Book the first free time of next week; the manage token."""
    form = hold_first_time(client, slug)
    response = client.post(form, data={**FAMILY, **fields})
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/manage/([A-Za-z0-9_-]+)/booked", response.headers["Location"])
    assert match
    return match.group(1)


def booking_of(token: str) -> Booking:
    from scheduler.tokens import token_hash

    booking = db.session.scalar(
        select(Booking).where(Booking.manage_token_hash == token_hash(token))
    )
    assert booking is not None
    db.session.refresh(booking)
    return booking


def catalogue_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "translations" / "public"
