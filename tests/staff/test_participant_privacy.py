"""Privacy and retention of participants: feeds carry no participant names, retention
removes every participant's personal data, and a client's access-log export covers what
was seen about them as a participant of someone else's booking."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.booking import participants
from scheduler.booking.retention import purge_personal_data
from scheduler.extensions import db
from scheduler.ical.manage import create_feed_token
from scheduler.kernel import now_utc
from scheduler.models import AccessLogEntry, BookingParticipant
from scheduler.tokens import token_hash
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local

SECOND_PARENT = {
    "name": "Matti Virtanen",
    "email": "matti@example.org",
    "phone": "050 123 4567",
    "language": "fi",
}


def test_feeds_carry_no_participant_names(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service(allows_second_client=True)
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(2, 10))
    participants.add_participant(booking, "client", **SECOND_PARENT)
    _, url = create_feed_token(professional=pro)
    db.session.commit()

    body = client.get(urlsplit(url).path).get_data(as_text=True)
    assert booking.uid in body
    for detail in ("Matti", "Virtanen", "matti@example.org", "507654321", "+358501234567"):
        assert detail not in body


def test_retention_removes_every_participants_personal_data(
    app: Flask, make: Factories, staff: Staff
) -> None:
    app.config["RETENTION_DAYS"] = 30
    service = make.service(allows_second_client=True)
    pro = make.professional(service)
    old = staff.booking(service, pro, now_utc() - timedelta(days=40), status="completed")
    recent = staff.booking(service, pro, now_utc() - timedelta(days=10), status="completed")
    for booking, name in ((old, "Old Parent"), (recent, "Recent Parent")):
        db.session.add(
            BookingParticipant(
                booking_id=booking.id,
                role="client",
                name=name,
                email=f"{name.split()[0].lower()}@example.org",
                phone="+358501234567",
                language="sv",
                manage_token_hash=token_hash(name),
                created_at=now_utc() - timedelta(days=50),
            )
        )
    db.session.flush()

    assert purge_personal_data() == 1
    db.session.commit()
    db.session.expire_all()

    by_booking = {p.booking_id: p for p in db.session.scalars(select(BookingParticipant))}
    cleaned, kept = by_booking[old.id], by_booking[recent.id]
    assert (cleaned.name, cleaned.email, cleaned.phone, cleaned.manage_token_hash) == (
        None,
        None,
        None,
        None,
    )
    assert cleaned.personal_data_removed_at is not None
    assert cleaned.role == "client" and cleaned.language == "sv"  # what figures need
    assert kept.name == "Recent Parent" and kept.personal_data_removed_at is None
    actions = db.session.scalars(select(AccessLogEntry.action).order_by(AccessLogEntry.seq)).all()
    assert sorted(actions) == ["booking.personal_data_removed", "participant.personal_data_removed"]


def test_a_second_parents_export_shows_what_was_seen_about_them(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(allows_second_client=True)
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(2, 10))
    second, _token = participants.add_participant(booking, "client", **SECOND_PARENT)
    worker = staff.user("worker", professional=pro)
    admin = staff.user("org_admin", unit=service.unit)
    sign_in(worker)
    client.get(f"/staff/bookings/{booking.id}")
    sign_in(admin)

    for identifier in ("matti@example.org", "050 123 4567"):
        response = client.post(
            "/staff/admin/access-log", data={"identifier": identifier, "language": "en"}
        )
        assert response.mimetype == "text/csv", identifier
        table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        done = [
            (r["What was done"], r["To what"])
            for r in table
            if r["What was done"] != "Exported this access log"
        ]
        assert done == [
            ("Added a participant to the booking", f"Participation {second.id}"),
            ("Viewed a participant's details", f"Participation {second.id}"),
        ], identifier
    # The first parent's own log does not list what was seen about the second.
    first = client.post(
        "/staff/admin/access-log", data={"identifier": "maija@example.org", "language": "en"}
    )
    table = list(csv.DictReader(io.StringIO(first.get_data(as_text=True))))
    assert {r["To what"] for r in table} == {f"Booking {booking.id}"}
