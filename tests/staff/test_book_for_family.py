"""A worker books a time for a family: the same booking, messages and access-log rows as
one the family made; a printed note instead of messages; an identity checked in person;
a time outside the weekly hours only when said so, and never over another booking."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from notifications import OutboxMessage
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date, now_utc
from scheduler.models import AccessLogEntry, Booking, BookingStatus, Professional, Service
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local


def day_of(instant: datetime) -> str:
    return local_date(instant, HELSINKI).isoformat()


def form(pro: Professional, service: Service, when: datetime, **override: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "professional": str(pro.id),
        "service": str(service.id),
        "date": day_of(when),
        "start": when.isoformat(),
        "name": "Maija Meikäläinen",
        "phone": "040 123 4567",
        "email": "maija@example.org",
        "language": "sv",
        "meeting_language": "fi",
        "meeting_mode": "video",
        "send_messages": "1",
    }
    values.update(override)
    return {k: v for k, v in values.items() if v is not None}


def bookings() -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking).where(Booking.status == BookingStatus.CONFIRMED).order_by(Booking.id)
        )
    )


def actions(booking: Booking) -> list[str]:
    return list(
        db.session.scalars(
            select(AccessLogEntry.action)
            .where(AccessLogEntry.target == f"booking:{booking.id}")
            .order_by(AccessLogEntry.seq)
        )
    )


def templates(booking: Booking) -> list[str]:
    return sorted(
        db.session.scalars(
            select(OutboxMessage.template).where(
                OutboxMessage.group_key == f"booking:{booking.uid}"
            )
        )
    )


def test_a_worker_books_a_family_who_phoned_with_the_usual_messages(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(meeting_modes=["video", "phone"])
    pro = make.professional(service, email="worker@example.org")
    user = staff.user("worker", professional=pro)
    sign_in(user)
    start = at_local(3, 10)
    page = client.get(f"/staff/book?professional={pro.id}&date={day_of(start)}")
    assert page.status_code == 200
    assert start.isoformat() in page.get_data(as_text=True)  # the free time is offered
    done = client.post("/staff/book", data=form(pro, service, start))
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    (booking,) = bookings()
    assert done.headers["Location"].endswith(f"/staff/bookings/{booking.id}")
    assert (booking.start_at, booking.professional_id, booking.booked_by_staff_id) == (
        start,
        pro.id,
        user.id,
    )
    assert (booking.language, booking.meeting_language) == ("sv", "fi")
    assert booking.manage_token_hash and not booking.outside_hours
    assert "confirmation" in templates(booking) and "reminder" in templates(booking)
    confirmation = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.template == "confirmation", OutboxMessage.channel == "email"
        )
    ).one()
    assert confirmation.language == "sv" and confirmation.context["invite"]["uid"] == booking.uid
    assert "booking.create" in actions(booking)
    created = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.action == "booking.create")
    ).one()
    assert f"staff:{user.id}" in created.actor


def test_the_agenda_links_to_booking_for_a_family(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    pro = make.professional(make.service())
    sign_in(staff.user("worker", professional=pro))
    html = client.get("/staff/agenda").get_data(as_text=True)
    assert f"/staff/book?professional={pro.id}" in html


def test_without_messages_the_family_gets_a_printed_note_with_a_qr_code(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    sign_in(staff.user("worker", professional=pro))
    start = at_local(3, 11)
    done = client.post(
        "/staff/book", data=form(pro, service, start, send_messages=None, email=None)
    )
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    (booking,) = bookings()
    assert "confirmation" not in templates(booking)
    assert "reminder" in templates(booking)  # reminders still go to the phone
    note = client.get(done.headers["Location"])
    html = note.get_data(as_text=True)
    assert note.status_code == 200
    assert "<svg" in html and "<path" in html
    link = html.split('<figcaption><a href="')[1].split('"')[0]
    assert "/manage/" in link
    assert "Din tid" in html  # in the family's language (Swedish)
    manage = client.get(link[link.index("/manage/") :])
    assert manage.status_code == 200
    again = client.get(done.headers["Location"])
    assert again.status_code == 302  # shown once: only the link's hash is kept
    assert "booking.note" in actions(booking)


def test_a_strong_identification_service_needs_the_identity_checked_in_person(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(requires_strong_id=True)
    pro = make.professional(service)
    sign_in(staff.user("worker", professional=pro))
    start = at_local(3, 10)
    unchecked = client.post("/staff/book", data=form(pro, service, start))
    assert unchecked.status_code == 422
    assert bookings() == []
    checked = client.post("/staff/book", data=form(pro, service, start, identity_check="passport"))
    assert checked.status_code == 302, checked.get_data(as_text=True)[:2000]
    (booking,) = bookings()
    assert booking.identity_check == "passport" and booking.identity_subject is None
    assert "identity.checked_in_person.passport" in actions(booking)


def test_a_worker_books_only_their_own_time_and_a_unit_admin_their_units(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    colleague = make.professional(service)
    stranger = make.professional(make.service())
    start = at_local(3, 10)
    sign_in(staff.user("worker", professional=pro))
    assert client.post("/staff/book", data=form(colleague, service, start)).status_code == 403
    assert client.post("/staff/book", data=form(stranger, service, start)).status_code == 404
    assert bookings() == []
    sign_in(staff.user("unit_admin", unit=service.unit))
    assert client.post("/staff/book", data=form(colleague, service, start)).status_code == 302
    assert [b.professional_id for b in bookings()] == [colleague.id]


def test_a_service_families_cannot_book_online_is_booked_by_staff(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(bookable=False)
    pro = make.professional(service)
    sign_in(staff.user("worker", professional=pro))
    start = at_local(3, 10)
    assert client.post("/staff/book", data=form(pro, service, start)).status_code == 302
    assert len(bookings()) == 1


def test_bad_input_is_refused_and_changes_nothing(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(horizon_days=10)
    pro = make.professional(service)
    sign_in(staff.user("worker", professional=pro))
    start = at_local(3, 10)
    cases = [
        form(pro, service, start, name=""),
        form(pro, service, start, phone="12", email=None),
        form(pro, service, start, email=None, phone=None),
        form(pro, service, start, meeting_mode="carrier-pigeon"),
        form(pro, service, start, language="xx"),
        form(pro, service, start, start="2020-01-01T10:00:00+00:00"),
        form(pro, service, at_local(12, 10), start="other", other_time="10.00"),
        form(pro, service, start, start="other", other_time="late"),
    ]
    for case in cases:
        response = client.post("/staff/book", data=case)
        assert response.status_code == 422, case
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_outside_the_weekly_hours_only_when_said_so_and_it_shows(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service, hours=(time(8), time(16)))
    sign_in(staff.user("worker", professional=pro))
    evening = at_local(3, 18, 30)
    plain = form(pro, service, evening, start="other", other_time="18.30")
    refused = client.post("/staff/book", data=plain)
    assert refused.status_code == 422
    assert bookings() == []
    done = client.post("/staff/book", data={**plain, "outside_hours": "1"})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    (booking,) = bookings()
    assert booking.start_at == evening and booking.outside_hours
    assert "booking.outside_hours" in actions(booking)
    agenda = client.get(f"/staff/agenda?professional={pro.id}&date={day_of(evening)}&lang=en")
    assert "Outside the weekly hours" in agenda.get_data(as_text=True)


def test_an_override_that_overlaps_another_booking_is_refused(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(buffer_after_min=15)
    pro = make.professional(service)
    sign_in(staff.user("worker", professional=pro))
    evening = at_local(3, 18)
    first = form(pro, service, evening, start="other", other_time="18.00", outside_hours="1")
    assert client.post("/staff/book", data=first).status_code == 302
    # 18.45 is the end of the first meeting, but its buffer runs until 19.00.
    second = {**first, "other_time": "18.45", "name": "Toinen Perhe"}
    refused = client.post("/staff/book?lang=en", data=second)
    assert refused.status_code == 422
    assert "not free" in refused.get_data(as_text=True)
    assert len(bookings()) == 1


def test_a_worker_may_book_sooner_than_the_services_notice(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(min_notice_min=24 * 60)
    pro = make.professional(service)
    sign_in(staff.user("worker", professional=pro))
    # Two hours from now, on the whole hour: written as a worker writes it ("0.00", "9.00"),
    # whatever the hour of the day the test runs.
    soon = (
        (now_utc() + timedelta(hours=2))
        .astimezone(HELSINKI)
        .replace(minute=0, second=0, microsecond=0)
    )
    data = form(
        pro,
        service,
        soon,
        start="other",
        other_time=f"{soon.hour}.00",
        outside_hours="1",
    )
    assert client.post("/staff/book", data=data).status_code == 302
    assert len(bookings()) == 1


def test_messages_to_nothing_but_a_landline_are_refused(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(meeting_modes=["video", "phone"])
    pro = make.professional(service)
    sign_in(staff.user("worker", professional=pro))
    start = at_local(3, 10)
    landline_only = form(pro, service, start, email=None, phone="09 123 4567")
    refused = client.post("/staff/book?lang=en", data=landline_only)
    assert refused.status_code == 422
    assert "Text messages cannot reach a landline" in refused.get_data(as_text=True)
    assert bookings() == []
    # The worker may still call a landline: the family gets a printed note instead.
    printed = {**landline_only, "meeting_mode": "phone"}
    del printed["send_messages"]
    assert client.post("/staff/book", data=printed).status_code == 302
    assert [b.client_phone for b in bookings()] == ["+35891234567"]
