"""Every staff API route, called with a token of another organisation: 404 or 403 for the
first organisation's objects, never its data, and nothing of it changes."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.availability import closures
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import AccessLogEntry, Booking, Closure
from tests.factories import Factories
from tests.staff.api_tokens import issue_token
from tests.staff.conftest import Staff, at_local

SECRET_NAME = "Salainen Asiakas"
SECRET_WORKER = "Piilotettu Työntekijä"


def _organisation_a(make: Factories, staff: Staff) -> dict[str, Any]:
    unit = make.unit()
    service = make.service(unit)
    pro = make.professional(service, name=SECRET_WORKER)
    booking = staff.booking(service, pro, at_local(2, 10), client_name=SECRET_NAME)
    day = date.today() + timedelta(days=2)
    closure = closures.add_closure(unit.organisation, unit, day, None, None, {}, None, now_utc())
    return {
        "booking_id": booking.id,
        "closure_id": closure.id,
        "professional_id": pro.id,
        "service_id": service.id,
        "unit_id": unit.id,
        "start": at_local(3, 10),
        "day": day.isoformat(),
    }


def _body(a: dict[str, Any]) -> dict[str, Any]:
    """Every field any staff API body takes, naming organisation A's objects."""
    return {
        "service_id": a["service_id"],
        "professional_id": a["professional_id"],
        "start_at": a["start"].isoformat(),
        "meeting_mode": "video",
        "client": {"name": "Vieras", "email": "vieras@example.org"},
        "every_weeks": 1,
        "count": 2,
        "reason": "Ei kuulu tälle",
        "unit_id": a["unit_id"],
        "day": a["day"],
        "first": a["day"],
    }


# The body fields each route reads (the others would be refused as unknown, a 422 that
# proves nothing about access).
FIELDS = {
    "staff_api.book": {"service_id", "professional_id", "start_at", "meeting_mode", "client"},
    "staff_api.preview_series": {
        *("service_id", "professional_id", "start_at", "meeting_mode", "client"),
        *("every_weeks", "count"),
    },
    "staff_api.move_booking": {"start_at", "professional_id"},
    "staff_api.cancel_booking": {"reason"},
    "staff_api.reassign_confirm": {"professional_id", "first"},
    "staff_api.add_closure": {"unit_id", "day"},
}
FIELDS["staff_api.book_series"] = FIELDS["staff_api.preview_series"]
QUERIES = {
    "staff_api.find": "service_id={service_id}",
    "staff_api.reassign_preview": "professional_id={professional_id}&first={day}",
}
# Routes without an object of their own that answer with the caller's organisation only.
OWN_ORGANISATION = {"staff_api.list_closures"}


def api_rules(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff_api."):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, rule.rule, method))
    return found


@pytest.mark.parametrize("role", ["org_admin", "unit_admin", "worker"])
def test_every_staff_api_route_refuses_another_organisations_objects(
    app: Flask, client: FlaskClient, make: Factories, staff: Staff, role: str
) -> None:
    a = _organisation_a(make, staff)
    own_service = make.service()
    own_pro = make.professional(own_service)
    headers = issue_token(staff, role, unit=own_service.unit, professional=own_pro)
    rules = api_rules(app)
    assert len(rules) >= 13, "the staff API should have been walked"
    body = _body(a)
    for endpoint, rule, method in rules:
        url = rule
        for name in re.findall(r"<(?:\w+:)?(\w+)>", rule):
            url = re.sub(rf"<(?:\w+:)?{name}>", str(a[name]), url)
        if endpoint in QUERIES:
            url += "?" + QUERIES[endpoint].format(**a)
        fields = FIELDS.get(endpoint)
        payload = {k: v for k, v in body.items() if k in fields} if fields else None
        response = client.open(url, method=method, json=payload, headers=headers)
        if endpoint in OWN_ORGANISATION:
            assert response.status_code in (200, 403), (endpoint, method)
        else:
            assert response.status_code in (403, 404), (endpoint, method, response.get_json())
        text = response.get_data(as_text=True)
        assert SECRET_NAME not in text and SECRET_WORKER not in text, (endpoint, method)
        assert f'"id":{a["closure_id"]}' not in text.replace(" ", ""), (endpoint, method)
    db.session.expire_all()
    booking = db.session.get(Booking, a["booking_id"])
    assert booking is not None and booking.status == "confirmed"
    assert (booking.start_at, booking.professional_id) == (at_local(2, 10), a["professional_id"])
    assert db.session.get(Closure, a["closure_id"]) is not None
    assert db.session.scalars(select(Booking)).all() == [booking]
    denied = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.result == "denied")
    ).all()
    assert denied and all(e.target == f"booking:{a['booking_id']}" for e in denied)
