"""Strong identification: the whole authorization-code flow with PKCE against a real
OpenID provider (npm oidc-provider), for services that require it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from scheduler.demo import create_demo
from scheduler.extensions import db
from scheduler.models import AccessLogEntry, Booking, BookingStatus
from scheduler.schema import create_all
from tests.conftest import make_app
from tests.oidc_fixture import OidcProvider, oidc_provider  # noqa: F401  (the fixture)
from tests.public.conftest import FAMILY, booking_of, hold_first_time


@pytest.fixture
def id_app(tmp_path: Path, oidc_provider: OidcProvider) -> Iterator[Flask]:  # noqa: F811
    app = make_app(
        tmp_path, f"sqlite:///{tmp_path / 'id.db'}", **oidc_provider.app_config("family")
    )
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        create_demo()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_family_identifies_strongly_and_the_booking_records_who(
    id_app: Flask,
    oidc_provider: OidcProvider,  # noqa: F811
) -> None:
    client = id_app.test_client()
    form = hold_first_time(client, "lastenvalvoja")
    token = form.rsplit("/", 1)[1]
    asked = client.get(form + "?lang=fi")
    assert "Tunnistaudu" in asked.text
    start = client.post(f"{form}/identify")
    assert start.status_code == 302
    authorize = start.headers["Location"]
    assert authorize.startswith(oidc_provider.issuer)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert token not in authorize  # the hold token stays in the session, not in the flow

    back = oidc_provider.sign_in(authorize, "anna.aikio")
    parts = urlsplit(back)
    assert parts.path == "/identify/callback"
    returned = client.get(f"{parts.path}?{parts.query}")
    assert returned.status_code == 303 and returned.headers["Location"] == form

    page = client.get(form + "?lang=en")
    assert 'name="name"' in page.text and 'value="anna.aikio"' in page.text
    assert "You have identified yourself strongly." in page.text
    done = client.post(form, data={**FAMILY, "q_topic": "custody"})
    assert done.status_code == 303
    booking = booking_of(done.headers["Location"].split("/")[2])
    assert booking.status == BookingStatus.CONFIRMED
    assert (booking.identity_subject, booking.identity_name) == ("anna.aikio", "anna.aikio")
    actions = db.session.scalars(
        select(AccessLogEntry.action).where(AccessLogEntry.target == f"booking:{booking.id}")
    ).all()
    assert actions == ["booking.identify", "booking.create"]


def test_a_forged_return_from_the_provider_identifies_nobody(
    id_app: Flask,
    oidc_provider: OidcProvider,  # noqa: F811
) -> None:
    client = id_app.test_client()
    form = hold_first_time(client, "lastenvalvoja")
    start = client.post(f"{form}/identify")
    assert start.status_code == 302
    forged = client.get("/identify/callback?code=made-up&state=made-up&lang=en")
    assert forged.status_code == 401
    assert "The identification did not succeed" in forged.text
    token = form.rsplit("/", 1)[1]
    from scheduler.tokens import token_hash

    booking = db.session.scalar(select(Booking).where(Booking.hold_token_hash == token_hash(token)))
    assert booking is not None and booking.identity_subject is None


def test_anonymous_services_never_ask_for_identification(
    id_app: Flask,
) -> None:
    client = id_app.test_client()
    form = hold_first_time(client, "palveluneuvonta")
    page = client.get(form + "?lang=en")
    assert 'name="name"' in page.text and "/identify" not in page.text
