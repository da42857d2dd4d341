"""Staff sign-in end to end against a real OpenID provider (npm oidc-provider):
authorization code flow with PKCE S256, state and nonce."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scheduler.extensions import db
from scheduler.models import StaffUser
from scheduler.schema import create_all
from tests.conftest import make_app
from tests.factories import Factories
from tests.oidc_fixture import OidcProvider
from tests.staff.conftest import Staff


@pytest.fixture
def oidc_app(tmp_path: Path, oidc_provider: OidcProvider) -> Iterator[Flask]:
    app = make_app(
        tmp_path, f"sqlite:///{tmp_path / 'oidc.db'}", **oidc_provider.app_config("staff")
    )
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        yield app
        db.session.remove()
        db.engine.dispose()


def start(client: FlaskClient) -> str:
    response = client.post("/staff/login/oidc")
    assert response.status_code == 302
    return response.headers["Location"]


def back_to_app(client: FlaskClient, provider: OidcProvider, authorize_url: str, login: str):
    callback = provider.sign_in(authorize_url, login)
    parts = urlsplit(callback)
    assert parts.path == "/staff/auth/callback"
    return client.get(f"{parts.path}?{parts.query}")


def test_authorization_request_uses_pkce_state_and_nonce(
    oidc_app: Flask, oidc_provider: OidcProvider
) -> None:
    url = start(oidc_app.test_client())
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(oidc_provider.issuer)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert "openid" in query["scope"][0].split()


def test_worker_signs_in_through_the_provider_and_is_linked_to_the_account(
    oidc_app: Flask, oidc_provider: OidcProvider, make: Factories
) -> None:
    staff = Staff(make)
    pro = make.professional(make.service())
    user = staff.user("worker", professional=pro, email="aino.niemela@example.org", name="Aino")
    db.session.commit()
    client = oidc_app.test_client()
    response = back_to_app(client, oidc_provider, start(client), "aino.niemela@example.org")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/agenda")
    page = client.get("/staff/agenda")
    assert page.status_code == 200
    assert "Aino" in page.get_data(as_text=True)
    db.session.refresh(user)
    assert user.oidc_issuer == oidc_provider.issuer
    assert user.oidc_subject == "aino.niemela@example.org"
    assert user.last_sign_in_at is not None


def test_second_sign_in_matches_by_subject_even_after_the_email_changed(
    oidc_app: Flask, oidc_provider: OidcProvider, make: Factories
) -> None:
    staff = Staff(make)
    user = staff.user("org_admin", email="old-address@example.org")
    user.oidc_issuer, user.oidc_subject = oidc_provider.issuer, "subject-123"
    db.session.commit()
    client = oidc_app.test_client()
    response = back_to_app(client, oidc_provider, start(client), "subject-123")
    assert response.status_code == 302
    assert client.get("/staff/admin").status_code == 200


def test_identity_without_a_staff_account_is_refused(
    oidc_app: Flask, oidc_provider: OidcProvider
) -> None:
    client = oidc_app.test_client()
    response = back_to_app(client, oidc_provider, start(client), "stranger@example.org")
    assert response.status_code == 403
    assert client.get("/staff/agenda").status_code == 302  # still signed out


def test_closed_account_cannot_sign_in(
    oidc_app: Flask, oidc_provider: OidcProvider, make: Factories
) -> None:
    Staff(make).user("worker", email="closed@example.org", active=False)
    db.session.commit()
    client = oidc_app.test_client()
    response = back_to_app(client, oidc_provider, start(client), "closed@example.org")
    assert response.status_code == 403


def test_callback_with_a_foreign_state_is_refused(
    oidc_app: Flask, oidc_provider: OidcProvider, make: Factories
) -> None:
    Staff(make).user("worker", email="victim@example.org")
    db.session.commit()
    attacker = oidc_app.test_client()
    callback = oidc_provider.sign_in(start(attacker), "victim@example.org")
    victim = oidc_app.test_client()
    start(victim)  # the victim has a sign-in of their own under way
    response = victim.get(callback.split("localhost", 1)[1])
    assert response.status_code == 401
    assert victim.get("/staff/agenda").status_code == 302


def test_a_code_cannot_be_used_twice(
    oidc_app: Flask, oidc_provider: OidcProvider, make: Factories
) -> None:
    Staff(make).user("worker", email="twice@example.org")
    db.session.commit()
    client = oidc_app.test_client()
    callback = oidc_provider.sign_in(start(client), "twice@example.org")
    path = callback.split("localhost", 1)[1]
    assert client.get(path).status_code == 302
    other = oidc_app.test_client()
    assert other.get(path).status_code == 401


def test_sign_in_page_offers_the_provider_when_configured(oidc_app: Flask) -> None:
    page = oidc_app.test_client().get("/staff/login").get_data(as_text=True)
    assert "/staff/login/oidc" in page


def test_accounts_are_unchanged_by_a_refused_sign_in(
    oidc_app: Flask, oidc_provider: OidcProvider
) -> None:
    client = oidc_app.test_client()
    back_to_app(client, oidc_provider, start(client), "nobody@example.org")
    assert db.session.query(StaffUser).count() == 0
