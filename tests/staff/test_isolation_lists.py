"""List pages and drop-downs show one organisation's objects only.

The other organisation's objects carry names found nowhere else (units, services,
workers, accounts, feeds, failed messages, access-log rows, figures); every staff page
is read as each role of this organisation, and none of those names may appear, while
this organisation's own objects do appear where they are listed.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

import notifications
from scheduler import audit
from scheduler.availability import closures
from scheduler.booking import participants
from scheduler.extensions import db
from scheduler.ical import manage as feeds
from scheduler.kernel import HELSINKI, local_date, now_utc
from scheduler.models import (
    Feedback,
    FigureSnapshot,
    Interpreter,
    ParticipantRole,
    StaffRole,
    StaffUser,
)
from scheduler.staff.blueprint import OPEN_ENDPOINTS
from scheduler.web import api_tokens
from tests.factories import Factories
from tests.notifications.contexts import message_context
from tests.staff.conftest import Staff, at_local

SECRETS = [
    "Salainen Yksikkö",
    "Salainen Palvelu",
    "Piilotettu Työntekijä",
    "Salainen Tili",
    "salainen.tili@a.example",
    "Salainen Syöte",
    "salainen-kalenteri",
    "salainen.viesti@a.example",
    "Salainen Asiakas",
    "booking:424242",
    "Salainen palaute",
    "Salainen Sulkupäivä",
    "Salainen Avain",
    "Salainen Tulkki",
    "Salainen Vieras",
    "7919",
]


def _name(text: str) -> dict[str, str]:
    return {"fi": text, "sv": text, "en": text}


def _figures(unit_id: int, service_id: int, organisation_id: int, comment: str) -> None:
    day = local_date(now_utc(), HELSINKI) - timedelta(days=3)
    for scope, subject_id, service in (
        ("unit", unit_id, None),
        ("service", service_id, service_id),
    ):
        db.session.add(
            FigureSnapshot(
                organisation_id=organisation_id,
                day=day,
                scope=scope,
                subject_id=subject_id,
                unit_id=unit_id,
                service_id=service,
                bookings=7919 if comment.startswith("Salainen") else 3,
                free_times=7919 if comment.startswith("Salainen") else 5,
            )
        )
    db.session.add(
        Feedback(
            organisation_id=organisation_id,
            unit_id=unit_id,
            service_id=service_id,
            received_on=day,
            rating=4,
            comment=comment,
        )
    )


def _organisation(
    make: Factories, staff: Staff, prefix: str, person: str, email: str
) -> dict[str, int]:
    """An organisation with one of everything a staff page lists, named after ``prefix``."""
    unit = make.unit(make.organisation(), name=_name(f"{prefix} Yksikkö"))
    service = make.service(unit, name=_name(f"{prefix} Palvelu"))
    pro = make.professional(service, name=person)
    booking = staff.booking(service, pro, at_local(2, 10), client_name=f"{prefix} Asiakas")
    account = staff.user("worker", professional=pro, name=f"{prefix} Tili", email=email)
    absence = make.absence(pro, at_local(3, 8), at_local(3, 12))
    opening = make.opening(pro, at_local(4, 17), timedelta(hours=2))
    host = prefix.lower().replace("salainen", "salainen-kalenteri")
    feed = feeds.add_feed(pro, f"https://{host}.example.org/cal.ics", label=f"{prefix} Syöte")
    token, _url = feeds.create_feed_token(professional=pro)
    notifications.enqueue(
        channel="email",
        recipient=f"{prefix.lower()}.viesti@a.example",
        template="confirmation",
        language="fi",
        context=message_context(client_name=f"{prefix} Asiakas"),
        idempotency_key=f"lists-{prefix}",
        organisation_id=unit.organisation_id,
    )
    db.session.execute(
        notifications.OutboxMessage.__table__.update()  # type: ignore[attr-defined]
        .where(notifications.OutboxMessage.recipient == f"{prefix.lower()}.viesti@a.example")
        .values(status="failed")
    )
    message_id = db.session.scalar(
        db.select(notifications.OutboxMessage.id).where(
            notifications.OutboxMessage.organisation_id == unit.organisation_id
        )
    )
    target = "booking:424242" if prefix == "Salainen" else f"booking:{booking.id}"
    audit.record(unit.organisation_id, "booking.view", target)
    _figures(unit.id, service.id, unit.organisation_id, f"{prefix} palaute")
    closure = closures.add_closure(
        unit.organisation,
        unit,
        local_date(now_utc(), HELSINKI) + timedelta(days=2),  # the day of the booking
        None,
        None,
        _name(f"{prefix} Sulkupäivä"),
        None,
        now_utc(),
    )
    api_tokens.issue(account, f"{prefix} Avain", StaffRole.WORKER, None, pro, None)
    interpreter = Interpreter(
        organisation_id=unit.organisation_id,
        name=f"{prefix} Tulkki",
        languages=["ar"],
        email=f"{prefix.lower()}.tulkki@a.example",
        created_at=now_utc(),
    )
    db.session.add(interpreter)
    guest, _link = participants.add_participant(
        booking,
        ParticipantRole.GUEST,
        name=f"{prefix} Vieras",
        email=f"{prefix.lower()}.vieras@a.example",
        phone=None,
        language="fi",
    )
    db.session.flush()
    return {
        "interpreter_id": interpreter.id,
        "participant_id": guest.id,
        "closure_id": closure.id,
        "organisation_id": unit.organisation_id,
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


def _get_pages(app: Flask) -> list[tuple[str, str]]:
    pages = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("staff.", "figures.")):
            continue
        if rule.endpoint in OPEN_ENDPOINTS or "GET" not in (rule.methods or set()):
            continue
        pages.append((rule.endpoint, rule.rule))
    return pages


# Where this organisation's own objects must show: proof the page lists anything at all.
OWN_LISTED = {
    "staff.admin_units": ["Oma Yksikkö"],
    "staff.admin_services": ["Oma Palvelu"],
    "staff.admin_workers": ["Oma Työntekijä"],
    "staff.admin_accounts": ["Oma Tili", "oma.tili@b.example"],
    "staff.admin_failed_messages": ["oma.viesti@a.example"],
    "staff.admin_service_new": ["Oma Yksikkö"],
    "staff.admin_worker_new": ["Oma Yksikkö", "Oma Palvelu"],
    "staff.admin_account_new": ["Oma Yksikkö", "Oma Työntekijä"],
    "staff.admin_worker": ["Oma Syöte"],
    "staff.admin_closures": ["Oma Sulkupäivä"],
    "staff.admin_closure": ["Oma Sulkupäivä", "Oma Asiakas"],
    "staff.admin_api_tokens": ["Oma Avain", "Oma Työntekijä"],
    "staff.admin_interpreters": ["Oma Tulkki"],
    "figures.overview": ["Oma Yksikkö", "Oma Palvelu", "Oma palaute"],
}


@pytest.mark.parametrize("role", ["org_admin", "unit_admin", "worker"])
def test_no_page_or_drop_down_shows_another_organisations_objects(
    app: Flask, client: FlaskClient, make: Factories, staff: Staff, sign_in, role: str
) -> None:
    _organisation(make, staff, "Salainen", "Piilotettu Työntekijä", "salainen.tili@a.example")
    own = _organisation(make, staff, "Oma", "Oma Työntekijä", "oma.tili@b.example")
    unit = db.session.get(StaffUser, own["account_id"]).unit  # type: ignore[union-attr]
    me = db.session.get(StaffUser, own["account_id"])
    user = me if role == "worker" else staff.user(role, unit=unit)
    sign_in(user)
    pages = _get_pages(app)
    assert len(pages) >= 20, "the staff pages should have been walked"
    shown = 0
    for endpoint, rule in pages:
        url = rule
        for name in re.findall(r"<(?:\w+:)?(\w+)>", rule):
            url = re.sub(rf"<(?:\w+:)?{name}>", str(own[name]), url)
        response = client.get(url, follow_redirects=True)
        assert response.status_code in (200, 403), (endpoint, response.status_code)
        body = response.get_data(as_text=True)
        leaked = [secret for secret in SECRETS if secret in body]
        assert leaked == [], (endpoint, leaked)
        if response.status_code == 200:
            shown += 1
            if role == "org_admin":
                missing = [text for text in OWN_LISTED.get(endpoint, []) if text not in body]
                assert missing == [], (endpoint, missing)
    assert shown >= (len(pages) if role == "org_admin" else 3)
