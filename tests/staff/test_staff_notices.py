"""Staff notices go to every professional of a meeting: the lead worker, a team's further
workers and colleagues added later, once each, each in their own language; for a new
booking, a cancellation, a move, a change of who takes part and an interpreter request
still open. Never any client data in them."""

from __future__ import annotations

from datetime import time

from flask.testing import FlaskClient
from sqlalchemy import select

from notifications import OutboxMessage
from scheduler.booking import attendance, cancel, interpreters, participants
from scheduler.booking.participants import participants_of
from scheduler.extensions import db
from scheduler.models import Booking, ParticipantRole, Professional
from tests.booking_api import book, next_weekday_at
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local


def _notices() -> list[tuple[str, str, str]]:
    """(recipient, language, event) of every staff notice queued, sorted."""
    db.session.expire_all()
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "staff_notice")
    ).all()
    return sorted((m.recipient, m.language, m.context["event"]) for m in rows)


def _team(make: Factories) -> tuple[int, Professional, Professional]:
    service = make.service(duration_min=60, slot_interval_min=60)
    social = make.professional(
        service, hours=(time(8), time(16)), email="sari@example.org", languages=["fi"]
    )
    counsellor = make.professional(
        hours=(time(8), time(16)), email="pekka@example.org", languages=["sv", "fi"]
    )
    make.pool(service, [social])
    make.pool(service, [counsellor])
    db.session.commit()
    return service.id, social, counsellor


def test_a_team_booking_and_its_cancellation_are_told_to_both_workers_each_in_their_language(
    client: FlaskClient, make: Factories
) -> None:
    service_id, _social, _counsellor = _team(make)
    book(client, service_id, next_weekday_at(10))
    assert _notices() == [
        ("pekka@example.org", "sv", "booked"),
        ("sari@example.org", "fi", "booked"),
    ]
    lead = db.session.scalars(select(Booking).where(Booking.lead_booking_id.is_(None))).one()
    cancel(lead, by="staff")
    db.session.commit()
    assert _notices() == [
        ("pekka@example.org", "sv", "booked"),
        ("pekka@example.org", "sv", "cancelled"),
        ("sari@example.org", "fi", "booked"),
        ("sari@example.org", "fi", "cancelled"),
    ]
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "staff_notice")
    ).all()
    assert all("maija" not in str(m.context).lower() for m in rows)


def test_an_open_interpreter_request_is_flagged_to_the_lead_and_an_added_colleague(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(interpreter_languages=["ar"])
    pro = make.professional(service, email="liisa@example.org")
    colleague = make.professional(service, email="pekka@example.org", languages=["en"])
    booking = staff.booking(service, pro, at_local(1, 10))
    interpreters.record_request(booking, "ar")
    sign_in(staff.user("worker", professional=pro))
    added = client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id)},
    )
    assert added.status_code == 303

    assert interpreters.flag_late_requests() == 1
    db.session.commit()
    assert _notices() == [
        ("liisa@example.org", "fi", "interpreter_open"),
        ("pekka@example.org", "en", "interpreter_open"),
    ]


def test_a_change_of_who_takes_part_is_told_to_the_other_professionals_once_each(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(allows_second_client=True)
    pro = make.professional(service, email="liisa@example.org")
    colleague = make.professional(service, email="pekka@example.org", languages=["sv"])
    booking = staff.booking(service, pro, at_local(4, 10))
    sign_in(staff.user("worker", professional=pro))
    client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id)},
    )
    # The colleague gets an invitation of their own; the worker who added them knows.
    assert _notices() == []

    guest = client.post(
        f"/staff/bookings/{booking.id}/people/guest",
        data={"name": "Terhi", "email": "terhi@koulu.example", "language": "fi"},
    )
    assert guest.status_code == 303
    assert _notices() == [("pekka@example.org", "sv", "participants")]

    second, _secret = participants.add_participant(
        booking,
        ParticipantRole.CLIENT,
        name="Matti",
        email="matti@example.org",
        phone=None,
        language="fi",
    )
    attendance.answer(second, attending=False)
    db.session.commit()
    # A decline is told once to each professional, as a decline (with the role, no name).
    assert sorted(_notices()) == [
        ("liisa@example.org", "fi", "declined"),
        ("pekka@example.org", "sv", "declined"),
        ("pekka@example.org", "sv", "participants"),
    ]
    assert len(participants_of(booking)) == 3
