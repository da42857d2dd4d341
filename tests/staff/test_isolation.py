"""Every staff route, walked as a user of another organisation: 404 or 403, never data."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

import notifications
from scheduler.availability import closures
from scheduler.booking import participants
from scheduler.extensions import db
from scheduler.ical import manage as feeds
from scheduler.kernel import now_utc
from scheduler.models import (
    AccessLogEntry,
    ApiToken,
    Booking,
    Interpreter,
    ParticipantRole,
    StaffRole,
)
from scheduler.staff.blueprint import OPEN_ENDPOINTS
from scheduler.web import api_tokens
from tests.factories import Factories
from tests.notifications.contexts import message_context
from tests.staff.conftest import Staff, at_local

SECRET_NAME = "Salainen Asiakas"


def _other_organisation(make: Factories, staff: Staff) -> dict[str, int]:
    """Organisation A with one of everything the staff routes can name."""
    unit = make.unit()
    service = make.service(unit)
    pro = make.professional(service, name="Piilotettu Työntekijä")
    booking = staff.booking(service, pro, at_local(2, 10), client_name=SECRET_NAME)
    account = staff.user("worker", professional=pro)
    absence = make.absence(pro, at_local(3, 8), at_local(3, 12))
    opening = make.opening(pro, at_local(4, 17), timedelta(hours=2))
    feed = feeds.add_feed(pro, "https://calendar.example.org/secret.ics")
    token, _url = feeds.create_feed_token(professional=pro)
    notifications.enqueue(
        channel="email",
        recipient="a@example.org",
        template="confirmation",
        language="fi",
        context=message_context(),
        idempotency_key="iso-1",
        organisation_id=unit.organisation_id,
    )
    db.session.execute(
        notifications.OutboxMessage.__table__.update().values(status="failed")  # type: ignore[attr-defined]
    )
    message_id = db.session.scalar(db.select(notifications.OutboxMessage.id))
    closure = closures.add_closure(
        unit.organisation, unit, date.today() + timedelta(days=5), None, None, {}, None, now_utc()
    )
    api_token, _secret = api_tokens.issue(
        staff.user("org_admin", unit=unit), "Salainen", StaffRole.ORG_ADMIN, None, None, None
    )
    interpreter = Interpreter(
        organisation_id=unit.organisation_id,
        name="Piilotettu Tulkki",
        languages=["ar"],
        email="tulkki@example.org",
        created_at=now_utc(),
    )
    db.session.add(interpreter)
    guest, _link = participants.add_participant(
        booking,
        ParticipantRole.GUEST,
        name="Piilotettu Vieras",
        email="vieras@example.org",
        phone=None,
        language="fi",
    )
    db.session.flush()
    return {
        "interpreter_id": interpreter.id,
        "participant_id": guest.id,
        "api_token_id": api_token.id,
        "closure_id": closure.id,
        "booking_id": booking.id,
        "professional_id": pro.id,
        "service_id": service.id,
        "unit_id": unit.id,
        "account_id": account.id,
        "absence_id": absence.id,
        "opening_id": opening.id,
        "feed_id": feed.id,
        "token_id": token.id,
        "message_id": int(message_id or 0),
    }


def staff_rules(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) of every staff route but signing in and out."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("staff.") or rule.endpoint in OPEN_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, rule.rule, method))
    return found


# Pages without an id in the path show the user's own organisation; given another
# organisation's worker as a parameter they must refuse.
OWN_ORGANISATION_PAGES = {
    "staff.home",
    "staff.agenda",
    "staff.hours_home",
    "staff.admin_home",
    "staff.admin_organisation",
    "staff.admin_units",
    "staff.admin_services",
    "staff.admin_service_new",
    "staff.admin_workers",
    "staff.admin_worker_new",
    "staff.admin_accounts",
    "staff.admin_account_new",
    "staff.admin_access_log",
    "staff.admin_failed_messages",
    "staff.admin_closures",
    "staff.admin_api_tokens",
    "staff.admin_interpreters",
    "staff.admin_interpreter_new",
    "staff.interpreter_requests",
    "staff.book_for_family_page",
    "staff.reassign_day",
    "staff.find_a_time",
}
QUERY_REFUSED = {
    "staff.agenda",
    "staff.hours_home",
    "staff.book_for_family_page",
    "staff.reassign_day",
}


@pytest.mark.parametrize("role", ["org_admin", "unit_admin", "worker"])
def test_every_staff_route_refuses_another_organisations_objects(
    app: Flask, client: FlaskClient, make: Factories, staff: Staff, sign_in, role: str
) -> None:
    ids = _other_organisation(make, staff)
    own_service = make.service()
    own_pro = make.professional(own_service)
    user = staff.user(role, unit=own_service.unit, professional=own_pro)
    sign_in(user)
    rules = staff_rules(app)
    assert len(rules) > 30, "the staff blueprint should have been walked"
    log_before = db.session.query(AccessLogEntry).count()
    for endpoint, rule, method in rules:
        params = re.findall(r"<(?:\w+:)?(\w+)>", rule)
        if params:
            url = rule
            for name in params:
                url = re.sub(rf"<(?:\w+:)?{name}>", str(ids[name]), url)
            response = client.open(url, method=method, data={"reason": "x" * 10})
            assert response.status_code in (403, 404), (endpoint, method, response.status_code)
        else:
            assert endpoint in OWN_ORGANISATION_PAGES, f"{endpoint} is not covered by this test"
            url = rule + f"?professional={ids['professional_id']}"
            response = client.open(url, method=method, data={})
            if endpoint in QUERY_REFUSED:
                assert response.status_code in (403, 404), (endpoint, response.status_code)
            else:
                assert response.status_code in (200, 302, 403, 422), (endpoint, method)
        body = response.get_data(as_text=True)
        assert SECRET_NAME not in body and "Piilotettu" not in body, (endpoint, method)
    # Nothing of organisation A changed.
    booking = db.session.get(Booking, ids["booking_id"])
    assert booking is not None and booking.status == "confirmed"
    api_token = db.session.get(ApiToken, ids["api_token_id"])
    assert api_token is not None and api_token.revoked_at is None
    # The refused attempts at A's booking are in A's access log, marked denied.
    denied = db.session.query(AccessLogEntry).filter_by(result="denied").all()
    assert denied and all(e.target == f"booking:{ids['booking_id']}" for e in denied)
    assert db.session.query(AccessLogEntry).count() > log_before


def test_worker_cannot_open_a_colleagues_booking_in_the_same_unit(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    me, colleague = make.professional(service), make.professional(service)
    booking = staff.booking(service, colleague, at_local(1, 9))
    sign_in(staff.user("worker", professional=me))
    assert client.get(f"/staff/bookings/{booking.id}").status_code == 403
    assert client.get(f"/staff/availability/{colleague.id}").status_code == 403
    assert client.get("/staff/admin").status_code == 403


def test_unit_admin_reaches_only_their_own_unit(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    org = make.organisation()
    unit_a, unit_b = make.unit(org), make.unit(org)
    pro_b = make.professional(make.service(unit_b))
    service_b = pro_b.services[0]
    booking_b = staff.booking(service_b, pro_b, at_local(1, 9))
    sign_in(staff.user("unit_admin", unit=unit_a))
    assert client.get(f"/staff/bookings/{booking_b.id}").status_code == 403
    assert client.get(f"/staff/admin/services/{service_b.id}").status_code == 403
    assert client.get(f"/staff/admin/workers/{pro_b.id}").status_code == 403
    assert client.get(f"/staff/admin/units/{unit_b.id}").status_code == 403
    assert client.get("/staff/admin/organisation").status_code == 403
    assert client.get("/staff/admin/access-log").status_code == 403
    listing = client.get("/staff/admin/services").get_data(as_text=True)
    assert service_b.name["fi"] not in listing


def test_signed_out_visitor_is_sent_to_sign_in(app: Flask, client: FlaskClient) -> None:
    for endpoint, rule, method in staff_rules(app):
        url = re.sub(r"<(?:\w+:)?\w+>", "1", rule)
        response = client.open(url, method=method)
        assert response.status_code in (302, 401), (endpoint, method)
        if method == "GET":
            assert "/staff/login" in response.headers["Location"]
