"""Interpreters: the family asks for one when booking (form and API), the worker sees the
request on the agenda and in the list of open requests, adds an interpreter from the
organisation's list, and a request still open two working days before the meeting is
flagged to the worker once."""

from __future__ import annotations

from datetime import date, timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from notifications import OutboxMessage
from scheduler.availability.holidays import working_days_before
from scheduler.booking import interpreters
from scheduler.booking.participants import participants_of
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import (
    AccessLogEntry,
    Booking,
    BookingParticipant,
    BookingStatus,
    Interpreter,
    InterpreterRequest,
)
from tests.booking_api import client_body, iso, next_weekday_at
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local


def _hold(client: FlaskClient, service_id: int) -> str:
    held = client.post(
        "/api/v1/holds",
        json={"service_id": service_id, "start_at": iso(next_weekday_at(10, days_ahead=5))},
    )
    assert held.status_code == 201, held.json
    return str(held.json["hold_token"])


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_an_interpreter_request_on_a_service_without_it_is_refused_and_changes_nothing(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service()  # no interpreter languages
    make.professional(service)
    db.session.commit()
    token = _hold(client, service.id)
    answer = client.post("/api/v1/bookings", json=client_body(token, interpreter_language="ar"))
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "interpreter_not_offered"
    assert answer.json["error"]["fields"] == {"interpreter_language": "not offered"}
    db.session.rollback()
    assert db.session.scalar(select(Booking.status)) == BookingStatus.HELD
    assert _count(InterpreterRequest) == 0
    assert _count(OutboxMessage) == 0


def test_an_interpreter_language_the_service_does_not_offer_is_refused(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service(interpreter_languages=["so"])
    make.professional(service)
    db.session.commit()
    token = _hold(client, service.id)
    answer = client.post("/api/v1/bookings", json=client_body(token, interpreter_language="ar"))
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "interpreter_language_not_offered"
    assert _count(InterpreterRequest) == 0


def test_the_family_asks_for_an_interpreter_through_the_api_and_the_worker_sees_it(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(interpreter_languages=["ar", "so"])
    pro = make.professional(service)
    user = staff.user("worker", professional=pro)
    db.session.commit()
    assert client.get(f"/api/v1/services/{service.id}").json["interpreter_languages"] == [
        "ar",
        "so",
    ]
    token = _hold(client, service.id)
    done = client.post("/api/v1/bookings", json=client_body(token, interpreter_language="so"))
    assert done.status_code == 201, done.json
    request = db.session.scalar(select(InterpreterRequest))
    assert request is not None and request.language == "so" and request.is_open

    sign_in(user)
    listed = client.get("/staff/interpreter-requests?lang=fi")
    assert listed.status_code == 200
    assert "somali" in listed.get_data(as_text=True)
    booking = db.session.scalar(select(Booking))
    assert booking is not None
    day = booking.start_at.astimezone(booking.organisation.zone).date().isoformat()
    agenda = client.get(f"/staff/agenda?date={day}&lang=fi").get_data(as_text=True)
    assert "pyydetty, ei vielä lisätty" in agenda
    logged = db.session.scalars(
        select(AccessLogEntry.action).where(AccessLogEntry.target == f"booking:{booking.id}")
    ).all()
    assert "interpreter_request.read" in logged


def test_the_booking_form_asks_for_an_interpreter_only_where_the_service_offers_one(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service(interpreter_languages=["ru"])
    other = make.service(unit=service.unit)
    make.professional(service)
    make.professional(other)
    db.session.commit()
    token = _hold(client, service.id)
    page = client.get(f"/book/{token}?lang=fi").get_data(as_text=True)
    assert 'name="interpreter_language"' in page and "venäjä" in page
    sent = client.post(
        f"/book/{token}",
        data={
            "name": "Olga",
            "email": "olga@example.org",
            "language": "fi",
            "consent": "y",
            "interpreter_language": "ru",
        },
    )
    assert sent.status_code == 303, sent.get_data(as_text=True)
    assert db.session.scalar(select(InterpreterRequest.language)) == "ru"
    other_token = _hold(client, other.id)
    assert 'name="interpreter_language"' not in client.get(f"/book/{other_token}").get_data(
        as_text=True
    )


def _requested_booking(
    make: Factories, staff: Staff, days_ahead: int = 10, language: str = "so"
) -> tuple[Booking, Staff]:
    service = make.service(interpreter_languages=["so", "ar"])
    pro = make.professional(service, email="worker@example.org")
    booking = staff.booking(service, pro, at_local(days_ahead, 10))
    booking.organisation.holiday_region = None
    interpreters.record_request(booking, language)
    return booking, staff


def test_the_worker_adds_an_interpreter_from_the_list_who_is_invited(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, _staff = _requested_booking(make, staff)
    listed = Interpreter(
        organisation_id=booking.organisation_id,
        name="Amina Hassan",
        languages=["so"],
        email="amina@tulkit.example",
        phone="+358451234567",
        active=True,
        created_at=now_utc(),
    )
    db.session.add(listed)
    user = staff.user("worker", professional=booking.professional)
    sign_in(user)
    page = client.get(f"/staff/bookings/{booking.id}/people?lang=fi").get_data(as_text=True)
    assert "Amina Hassan" in page and "Tulkkia ei ole vielä lisätty" in page
    added = client.post(
        f"/staff/bookings/{booking.id}/people/interpreter",
        data={"source": "list", "interpreter_id": str(listed.id), "language": "fi"},
    )
    assert added.status_code == 303
    (interpreter,) = participants_of(booking)
    assert (interpreter.role, interpreter.name) == ("interpreter", "Amina Hassan")
    assert interpreter.added_by_staff_id == user.id
    sent = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.group_key == f"booking:{booking.uid}:p{interpreter.id}"
        )
    ).all()
    assert {(m.template, m.channel, m.recipient) for m in sent} >= {
        ("invitation", "email", "amina@tulkit.example"),
        ("invitation", "sms", "+358451234567"),
    }
    assert any(m.template == "reminder" for m in sent)
    assert db.session.scalar(select(InterpreterRequest.filled_at)) is not None
    told = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "taking_part")
    ).all()
    assert {m.recipient for m in told} == {"maija@example.org", "+358401234567"}
    assert told[0].context["people"] == [["interpreter", "Amina Hassan"]]
    assert "amina@" not in str(told[0].context)
    assert db.session.scalar(
        select(AccessLogEntry.id).where(
            AccessLogEntry.action == "participant.add",
            AccessLogEntry.target == f"participant:{interpreter.id}",
        )
    )


def test_an_interpreter_of_another_organisation_is_refused_and_nothing_changes(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, _staff = _requested_booking(make, staff)
    elsewhere = make.organisation()
    foreign = Interpreter(
        organisation_id=elsewhere.id,
        name="Muu Tulkki",
        languages=["so"],
        email="muu@example.org",
        active=True,
        created_at=now_utc(),
    )
    db.session.add(foreign)
    sign_in(staff.user("worker", professional=booking.professional))
    refused = client.post(
        f"/staff/bookings/{booking.id}/people/interpreter",
        data={"source": "list", "interpreter_id": str(foreign.id), "language": "fi"},
    )
    assert refused.status_code == 422
    assert "Valitse tulkki luettelosta" in refused.get_data(as_text=True)
    assert _count(BookingParticipant) == 0
    assert _count(OutboxMessage) == 0
    assert db.session.scalar(select(InterpreterRequest.filled_at)) is None


def test_two_working_days_skip_weekends_and_public_holidays() -> None:
    # Monday 28.12.2026: Christmas Eve and Christmas Day (Thu, Fri) are not working days.
    assert working_days_before(date(2026, 12, 28), 2, None) == date(2026, 12, 22)
    # An ordinary Thursday: Tuesday.
    assert working_days_before(date(2026, 11, 19), 2, None) == date(2026, 11, 17)
    # Monday: the Thursday before.
    assert working_days_before(date(2026, 11, 23), 2, None) == date(2026, 11, 19)


def test_a_request_still_open_two_working_days_before_is_flagged_once(
    make: Factories, staff: Staff
) -> None:
    soon, _staff = _requested_booking(make, staff, days_ahead=1)
    later = staff.booking(soon.service, soon.professional, at_local(20, 10))
    interpreters.record_request(later, "ar")
    db.session.commit()

    assert interpreters.flag_late_requests() == 1
    assert interpreters.flag_late_requests() == 0  # once
    db.session.commit()
    notices = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "staff_notice")
    ).all()
    assert [(m.recipient, m.context["event"]) for m in notices] == [
        ("worker@example.org", "interpreter_open")
    ]
    requests = {r.booking_id: r for r in db.session.scalars(select(InterpreterRequest))}
    assert requests[soon.id].flagged_at is not None
    assert requests[later.id].flagged_at is None
    assert interpreters.is_late(requests[soon.id])
    assert not interpreters.is_late(requests[later.id])


def test_a_filled_request_is_not_flagged(make: Factories, staff: Staff) -> None:
    soon, _staff = _requested_booking(make, staff, days_ahead=1)
    interpreters.mark_filled(soon)
    db.session.commit()
    assert interpreters.flag_late_requests() == 0
    assert soon.start_at - now_utc() < timedelta(days=2)


def test_retention_removes_the_interpreter_request_with_the_familys_data(
    make: Factories, staff: Staff
) -> None:
    from scheduler.booking.retention import purge_personal_data

    service = make.service(interpreter_languages=["so"])
    pro = make.professional(service)
    old = staff.booking(service, pro, now_utc() - timedelta(days=3000))
    interpreters.record_request(old, "so")
    db.session.commit()
    assert purge_personal_data() == 1
    assert _count(InterpreterRequest) == 0
