"""Input no client should send gets a 4xx and a plain message, never a 500 or a 503: dates
at the ends of the calendar, JSON nested a thousand levels deep, digits that only look like
digits (``²``), ids longer than any id and NUL characters — in the API, the family's forms
and the staff pages. None of it counts as a database outage."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY
from sqlalchemy import text

from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import StaffRole, StaffUser
from scheduler.staff.blueprint import SESSION_KEY
from tests.booking_api import book, client_body, iso, next_weekday_at
from tests.factories import Factories

FAR_FUTURE = "9999-12-31T23:59:59-01:00"
FAR_PAST = "0001-01-01T00:00:00+01:00"
SUPERSCRIPT_TWO = "²"
HUGE_ID = "9" * 5000


def nested(depth: int) -> str:
    return '{"reason": ' * depth + '"x"' + "}" * depth


@dataclass
class World:
    org_slug: str
    service_id: int
    service_slug: str
    professional_id: int
    manage_token: str
    hold_token: str


@dataclass(frozen=True)
class Case:
    """One bad request: ``{s}``, ``{p}``, ``{t}``, ``{o}``, ``{slug}`` in the path stand for
    the service, the worker, the manage token, the organisation and the service's slug."""

    method: str
    path: str
    body: dict[str, Any] | str | None = None
    message: str = ""  # a piece of the message the client must be shown
    json: bool = False

    def send(self, client: FlaskClient, world: World) -> Any:
        path = self.path.format(
            s=world.service_id,
            p=world.professional_id,
            t=world.manage_token,
            o=world.org_slug,
            slug=world.service_slug,
            h=world.hold_token,
        )
        if self.method == "GET":
            return client.get(path)
        if isinstance(self.body, str):
            return client.post(path, data=self.body, content_type="application/json")
        if self.json:
            body = {
                k: (v.format(s=world.service_id) if isinstance(v, str) else v)
                for k, v in (self.body or {}).items()
            }
            body = {k: (int(v) if k == "service_id" else v) for k, v in body.items()}
            return client.post(path, json=body)
        return client.post(path, data=self.body or {})


FORM_TAMPERED = "The form could not be sent"
NOT_FOUND = "The page was not found"
CHECK = "Some answers need to be checked"
CASES = {
    # Dates at the ends of the calendar.
    "api hold far future": Case(
        "POST", "/api/v1/holds", {"service_id": "{s}", "start_at": FAR_FUTURE}, "1900", True
    ),
    "api hold far past": Case(
        "POST", "/api/v1/holds", {"service_id": "{s}", "start_at": FAR_PAST}, "1900", True
    ),
    "api reschedule far future": Case(
        "POST", "/api/v1/manage/{t}/reschedule", {"start_at": FAR_FUTURE}, "1900", True
    ),
    "api reschedule far past": Case(
        "POST", "/api/v1/manage/{t}/reschedule", {"start_at": FAR_PAST}, "1900", True
    ),
    "api slots far future": Case(
        "GET", "/api/v1/services/{s}/slots?from=9999-12-31&to=9999-12-31", message="1900"
    ),
    "api slots far past": Case("GET", "/api/v1/services/{s}/slots?to=0001-01-01", message="1900"),
    "hold form far future": Case(
        "POST", "/o/{o}/s/{slug}/hold", {"start": FAR_FUTURE}, FORM_TAMPERED
    ),
    "hold form far past": Case("POST", "/o/{o}/s/{slug}/hold", {"start": FAR_PAST}, FORM_TAMPERED),
    "move form far future": Case("POST", "/manage/{t}/move", {"start": FAR_FUTURE}, FORM_TAMPERED),
    "move form far past": Case("POST", "/manage/{t}/move", {"start": FAR_PAST}, FORM_TAMPERED),
    "agenda far future": Case("GET", "/staff/agenda?date=9999-12-31", message=CHECK),
    "absence to the end of time": Case(
        "POST",
        "/staff/availability/{p}/absences",
        {"start_date": "2030-01-01", "end_date": "9999-12-31"},
        "Write a date such as",
    ),
    "worker's booking far future": Case("GET", "/staff/book?date=9999-12-31", message=CHECK),
    "closure to the end of time": Case(
        "POST",
        "/staff/admin/closures",
        {"scope": "organisation", "day": "31.12.9999", "reason-fi": "Suljettu"},
        "Write a date such as",
    ),
    "finding a time far future": Case("GET", "/staff/find?date=9999-12-31", message=CHECK),
    "reassigning to the end of time": Case(
        "GET", "/staff/reassign?first=9999-12-31&last=9999-12-31", message=CHECK
    ),
    # JSON nested a thousand levels deep.
    "api hold deep json": Case("POST", "/api/v1/holds", nested(1000), "JSON object"),
    "api cancel deep json": Case("POST", "/api/v1/manage/{t}/cancel", nested(1000), "JSON object"),
    # Digits that only look like digits, and ids longer than any id.
    "agenda worker ²": Case(
        "GET", f"/staff/agenda?professional={SUPERSCRIPT_TWO}", None, NOT_FOUND
    ),
    "agenda worker 5000 digits": Case(
        "GET", f"/staff/agenda?professional={HUGE_ID}", None, NOT_FOUND
    ),
    "worker's booking worker ²": Case(
        "GET", f"/staff/book?professional={SUPERSCRIPT_TWO}", None, NOT_FOUND
    ),
    "reassigning worker ²": Case(
        "GET", f"/staff/reassign?professional={SUPERSCRIPT_TWO}", None, NOT_FOUND
    ),
    "availability worker ²": Case(
        "GET", f"/staff/availability?professional={SUPERSCRIPT_TWO}", None, NOT_FOUND
    ),
    "figures subject ²": Case(
        "GET", f"/staff/figures?subject=unit-{SUPERSCRIPT_TWO}", None, NOT_FOUND
    ),
    "dev sign-in ²": Case("POST", "/staff/login/dev", {"who": f"pro:{SUPERSCRIPT_TWO}"}, CHECK),
    "dev sign-in 5000 digits": Case("POST", "/staff/login/dev", {"who": f"pro:{HUGE_ID}"}, CHECK),
    "worker form service ²": Case(
        "POST",
        "/staff/admin/workers/new",
        {"name": "Uusi Työntekijä", "services": SUPERSCRIPT_TWO},
        "Choose among the options",
    ),
    "account form worker ²": Case(
        "POST",
        "/staff/admin/accounts/new",
        {"email": "new@example.org", "name": "Uusi", "professional_id": SUPERSCRIPT_TWO},
        "Choose among the options",
    ),
    "weekly hours weekday ²": Case(
        "POST",
        "/staff/availability/{p}/rules",
        {
            "rule_count": "1",
            "rule-0-weekday": SUPERSCRIPT_TWO,
            "rule-0-start": "8",
            "rule-0-end": "16",
        },
        "Choose a weekday",
    ),
    "weekly hours service ²": Case(
        "POST",
        "/staff/availability/{p}/rules",
        {
            "rule_count": "1",
            "rule-0-weekday": "0",
            "rule-0-start": "8",
            "rule-0-end": "16",
            "rule-0-services": SUPERSCRIPT_TWO,
        },
        "Choose among the worker",
    ),
    "opening service ²": Case(
        "POST",
        "/staff/availability/{p}/openings",
        {
            "start_date": "2030-01-01",
            "start_time": "17",
            "end_time": "19",
            "services": SUPERSCRIPT_TWO,
        },
        "Choose among the worker",
    ),
}


@pytest.fixture
def world(any_app: Flask, make: Factories) -> World:
    service = make.service(meeting_modes=["video", "phone"])
    pro = make.professional(service)
    admin = StaffUser(
        organisation_id=service.organisation_id,
        role=StaffRole.ORG_ADMIN.value,
        email="admin@example.org",
        name="Pääkäyttäjä",
        active=True,
        created_at=now_utc(),
    )
    db.session.add(admin)
    db.session.commit()
    any_app.config["DEV_LOGIN"] = True
    client = any_app.test_client()
    token = book(client, service.id, next_weekday_at(10))["manage_token"]
    held = client.post(
        "/api/v1/holds", json={"service_id": service.id, "start_at": iso(next_weekday_at(12))}
    )
    return World(
        service.organisation.slug, service.id, service.slug, pro.id, token, held.json["hold_token"]
    )


@pytest.fixture
def admin_client(any_app: Flask, world: World) -> FlaskClient:
    client = any_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    admin = db.session.query(StaffUser).filter_by(email="admin@example.org").one()
    with client.session_transaction() as session:
        session[SESSION_KEY] = admin.id
    return client


NUL = "\x00"
NUL_TEXT = "NUL character"
NUL_CASES = {
    "api organisation": Case("GET", "/api/v1/services?organisation=%00", None, NUL_TEXT),
    "organisation page": Case("GET", "/o/%00/", None, FORM_TAMPERED),
    "api client name": Case(
        "POST",
        "/api/v1/bookings",
        json.dumps(client_body("{h}", client={"name": f"Maija{NUL}", "email": "m@example.org"})),
        NUL_TEXT,
    ),
    "booking form name": Case(
        "POST",
        "/book/{h}",
        {"name": f"Maija{NUL}", "email": "m@example.org", "language": "fi", "consent": "y"},
        FORM_TAMPERED,
    ),
    "worker form name": Case(
        "POST",
        "/staff/admin/workers/new",
        {"name": f"Uusi{NUL}Työntekijä", "languages": "fi"},
        FORM_TAMPERED,
    ),
    "agenda worker above int32": Case(
        "GET", "/staff/agenda?professional=99999999999", None, NOT_FOUND
    ),
}


def outages() -> float:
    return REGISTRY.get_sample_value("etaaika_database_unavailable_total") or 0.0


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_gets_a_4xx_and_a_plain_message(
    admin_client: FlaskClient, world: World, case: Case
) -> None:
    answer = case.send(admin_client, world)
    assert 400 <= answer.status_code < 500, answer.text[:500]
    if answer.is_json:
        message = answer.json["error"]["message"] + " " + str(answer.json["error"].get("fields"))
    else:
        message = answer.text
    assert case.message in message, message[-3000:]


@pytest.mark.parametrize("case", NUL_CASES.values(), ids=NUL_CASES.keys())
def test_nul_characters_and_huge_ids_are_the_clients_fault_not_an_outage(
    admin_client: FlaskClient, world: World, case: Case
) -> None:
    before = outages()
    test_bad_input_gets_a_4xx_and_a_plain_message(admin_client, world, case)
    assert outages() == before


def test_a_value_the_database_refuses_is_a_400_and_no_outage(pg_app: Flask) -> None:
    @pg_app.get("/test-out-of-range")
    def out_of_range() -> str:
        db.session.execute(text("SELECT CAST(:n AS integer)"), {"n": 99_999_999_999})
        return "read"

    before = outages()
    answer = pg_app.test_client().get("/test-out-of-range")
    assert answer.status_code == 400
    assert outages() == before


def test_a_nul_in_the_address_is_not_written_back_into_the_page(client: FlaskClient) -> None:
    answer = client.get("/o/%00%3F/?lang=sv")
    assert answer.status_code == 400
    assert b"\x00" not in answer.data
    assert 'href="/o/%00%3F/?lang=en"' in answer.text


@pytest.mark.parametrize("raw", ["99999999999", "2147483648", "0", "01"])
def test_an_id_outside_the_range_is_not_found_whatever_the_method(
    app: Flask, client: FlaskClient, raw: str
) -> None:
    """Every route with an id: the same plain 404 for each of its methods (never a 405 that
    says the method is wrong), before anyone is signed in or any view runs."""
    routes = [rule for rule in app.url_map.iter_rules() if "<id:" in rule.rule]
    assert routes
    for rule in routes:
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<id:{name}>", raw).replace(f"<{name}>", "x")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            assert client.open(path, method=method).status_code == 404, (method, path)
