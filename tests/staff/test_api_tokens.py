"""API tokens: issued on an admin page and shown once, kept only as a hash, 256 random
bits, scoped to one organisation and role, revocable, optionally expiring; every call is in
the access log under the token's name. Bearer requests alone skip the CSRF check, and the
staff API is rate-limited like the rest of the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date, now_utc
from scheduler.models import AccessLogEntry, ApiToken, Booking
from scheduler.schema import create_all
from scheduler.tokens import token_hash
from tests.conftest import make_app
from tests.factories import Factories
from tests.staff.api_tokens import issue_token
from tests.staff.conftest import Staff, at_local

SECRET = re.compile(r"<code>(etaaika_[A-Za-z0-9_-]+)</code>")


def _issue_on_page(client: FlaskClient, **form: str) -> str:
    page = client.post("/staff/admin/api-tokens", data=form)
    assert page.status_code == 200, page.get_data(as_text=True)[:3000]
    match = SECRET.search(page.get_data(as_text=True))
    assert match, "the new token is shown"
    return match.group(1)


def test_an_administrator_issues_a_token_shown_once_and_kept_hashed(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    admin = staff.user("unit_admin", unit=service.unit)
    sign_in(admin)
    secret = _issue_on_page(
        client, name="Asiakastietojärjestelmä", role="worker", professional_id=str(pro.id)
    )
    # 256 random bits (43 URL-safe characters) after the prefix.
    assert len(secret) == len("etaaika_") + 43
    row = db.session.scalars(select(ApiToken)).one()
    assert row.token_hash == token_hash(secret) and secret not in repr(vars(row))
    assert (row.role, row.professional_id, row.unit_id) == ("worker", pro.id, service.unit_id)
    assert (row.organisation_id, row.created_by_id) == (admin.organisation_id, admin.id)
    listing = client.get("/staff/admin/api-tokens").get_data(as_text=True)
    assert "Asiakastietojärjestelmä" in listing and secret not in listing
    answer = client.get(
        f"/api/v1/staff/bookings/{999}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 404  # the token works (the booking does not exist)


def test_a_revoked_or_expired_token_no_longer_works(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    sign_in(staff.user("org_admin", unit=service.unit))
    secret = _issue_on_page(client, name="Kalenteri", role="org_admin")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/staff/closures", headers=headers).status_code == 200
    row = db.session.scalars(select(ApiToken)).one()
    assert client.post(f"/staff/admin/api-tokens/{row.id}/revoke").status_code == 302
    refused = client.get("/api/v1/staff/closures", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert refused.get_json()["error"]["message"]
    tomorrow = local_date(now_utc(), HELSINKI) + timedelta(days=1)
    expiring = _issue_on_page(
        client,
        name="Lyhyt",
        role="worker",
        professional_id=str(pro.id),
        expires=f"{tomorrow:%d.%m.%Y}",
    )
    row = db.session.scalars(select(ApiToken).where(ApiToken.name == "Lyhyt")).one()
    assert row.expires_at is not None and row.expires_at > now_utc() + timedelta(hours=1)
    row.expires_at = now_utc() - timedelta(seconds=1)
    db.session.commit()
    expired = {"Authorization": f"Bearer {expiring}"}
    assert client.get("/api/v1/staff/find", headers=expired).status_code == 401


def test_a_unit_admin_issues_and_revokes_only_within_their_unit(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    other_unit = make.unit(service.unit.organisation)
    stranger = make.professional(make.service(other_unit))
    org_wide = issue_token(staff, "org_admin", unit=service.unit)  # noqa: F841  (a row to protect)
    sign_in(staff.user("unit_admin", unit=service.unit))
    for form in (
        {"name": "x", "role": "org_admin"},
        {"name": "x", "role": "worker", "professional_id": str(stranger.id)},
        {"name": "x", "role": "unit_admin", "unit_id": str(other_unit.id)},
        {"name": "x", "role": "worker"},
        {"name": "", "role": "unit_admin", "unit_id": str(service.unit_id)},
        {"name": "x", "role": "unit_admin", "unit_id": str(service.unit_id), "expires": "1.1.2020"},
    ):
        assert client.post("/staff/admin/api-tokens", data=form).status_code == 422, form
    assert db.session.scalars(select(ApiToken)).all() == [
        db.session.scalars(select(ApiToken)).one()
    ]
    row = db.session.scalars(select(ApiToken)).one()
    assert client.post(f"/staff/admin/api-tokens/{row.id}/revoke").status_code == 403
    db.session.refresh(row)
    assert row.revoked_at is None
    sign_in(staff.user("worker", unit=service.unit))
    assert client.get("/staff/admin/api-tokens").status_code == 403


def test_only_a_bearer_token_authenticates_not_a_staff_session(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    sign_in(staff.user("org_admin", unit=service.unit))
    assert client.get("/api/v1/staff/closures").status_code == 401
    for value in ("Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer etaaika_" + "A" * 43):
        answer = client.get("/api/v1/staff/closures", headers={"Authorization": value})
        assert answer.status_code == 401, value
        assert answer.get_json()["error"]["code"] == "unauthorized"
    worker = issue_token(staff, "worker", professional=pro)
    assert client.get("/api/v1/staff/closures", headers=worker).status_code == 403


def test_every_call_is_in_the_access_log_under_the_tokens_name_refused_ones_too(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service()
    pro, colleague = make.professional(service), make.professional(service)
    booking = staff.booking(service, colleague, at_local(2, 10))
    headers = issue_token(staff, "worker", professional=pro)
    assert client.get("/api/v1/staff/find", headers=headers).status_code == 200
    assert client.get(f"/api/v1/staff/bookings/{booking.id}", headers=headers).status_code == 403
    rows = db.session.scalars(
        select(AccessLogEntry)
        .where(AccessLogEntry.action == "api.call")
        .order_by(AccessLogEntry.seq)
    ).all()
    assert [(r.target, r.result) for r in rows] == [
        ("GET /api/v1/staff/find", "ok"),
        (f"GET /api/v1/staff/bookings/{booking.id}", "refused"),
    ]
    assert all("Integration worker (api-token:" in r.actor and r.role == "worker" for r in rows)
    denied = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.target == f"booking:{booking.id}")
    ).one()
    assert denied.result == "denied" and "api-token:" in denied.actor


def test_bad_input_gets_a_json_4xx_and_changes_nothing(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service()
    pro = make.professional(service)
    headers = issue_token(staff, "worker", professional=pro)
    good = {
        "service_id": service.id,
        "professional_id": pro.id,
        "start_at": at_local(3, 10).isoformat(),
        "meeting_mode": "video",
        "client": {"name": "Maija", "email": "maija@example.org"},
    }
    cases: list[object] = [
        "not json",
        [],
        {**good, "extra": 1},
        {**good, "start_at": "2027-03-28T10:00:00"},
        {**good, "start_at": "3500-01-01T10:00:00Z"},
        {**good, "meeting_mode": "pigeon"},
        {**good, "client": {"name": "Maija"}},
        {**good, "client": {"name": "Maija", "phone": "12"}},
        {**good, "identity_check": "hunch"},
        {**good, "intake_answers": {"unknown": "x"}},
        {**good, "professional_id": 0},
    ]
    for body in cases:
        if isinstance(body, str):
            answer = client.post("/api/v1/staff/bookings", data=body, headers=headers)
        else:
            answer = client.post("/api/v1/staff/bookings", json=body, headers=headers)
        assert 400 <= answer.status_code < 500, (body, answer.status_code)
        assert answer.get_json()["error"]["code"], body
    assert db.session.scalars(select(Booking)).all() == []


@pytest.fixture
def strict_app(tmp_path: Path) -> Iterator[Flask]:
    """CSRF on and rate limits on (a low one, to reach it)."""
    app = make_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'strict.db'}",
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
        RATELIMIT_PUBLIC="2 per minute",
    )
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        yield app
        db.session.remove()
        db.engine.dispose()


def test_only_bearer_requests_skip_the_csrf_check_and_changes_are_rate_limited(
    strict_app: Flask,
) -> None:
    make = Factories()
    staff = Staff(make)
    service = make.service()
    headers = issue_token(staff, "org_admin", unit=service.unit)
    client = strict_app.test_client()
    body = {"unit_id": service.unit_id, "day": "2999-12-24"}
    no_token = client.post("/api/v1/staff/closures", json=body)
    assert no_token.status_code == 400  # a browser's request: the CSRF check applies
    assert "csrf" in no_token.get_json()["error"]["message"].lower()
    answers = [
        client.post("/api/v1/staff/closures", json=body, headers=headers).status_code
        for _ in range(3)
    ]
    assert answers == [201, 201, 429]
    assert client.post("/api/v1/staff/closures", json=body, headers=headers).get_json()["error"]


def test_a_token_stops_when_the_account_that_issued_it_is_closed(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    """Nobody keeps acting through a token after leaving: closing the issuing
    administrator's account (or a worker token's worker) stops the token, and the token
    list says why."""
    service = make.service()
    pro = make.professional(service)
    leaver = staff.user("org_admin", unit=service.unit)
    sign_in(leaver)
    secret = _issue_on_page(client, name="Lähtijän", role="org_admin")
    worker_secret = _issue_on_page(
        client, name="Työntekijän", role="worker", professional_id=str(pro.id)
    )
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/staff/closures", headers=headers).status_code == 200
    leaver.active = False
    db.session.commit()
    assert client.get("/api/v1/staff/closures", headers=headers).status_code == 401
    sign_in(staff.user("org_admin", unit=service.unit))
    listing = client.get("/staff/admin/api-tokens?lang=en").get_data(as_text=True)
    assert "Stopped: the account that issued it" in listing
    leaver.active = True
    pro.active = False
    db.session.commit()
    assert client.get("/api/v1/staff/closures", headers=headers).status_code == 200
    worker = {"Authorization": f"Bearer {worker_secret}"}
    assert client.get("/api/v1/staff/find", headers=worker).status_code == 401
