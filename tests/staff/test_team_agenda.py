"""The further worker of a team meeting: the meeting in their agenda with the family's
name, their own way into the call, and a cancel from their side cancels it whole."""

from __future__ import annotations

from datetime import time

from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.booking.participants import participants_of
from scheduler.extensions import db
from scheduler.models import AccessLogEntry, Booking, BookingStatus
from tests.booking_api import book
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local
from tests.staff.test_book_for_family import day_of, form
from video.models import Kind, Room


def test_the_second_worker_sees_the_family_and_cancels_the_whole_meeting(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(duration_min=60, slot_interval_min=60)
    social = make.professional(service, name="Sari Sosiaali", hours=(time(8), time(12)))
    counsellor = make.professional(service, name="Pekka Perhe", hours=(time(10), time(14)))
    make.pool(service, [social])
    make.pool(service, [counsellor])
    db.session.commit()
    start = at_local(3, 10)
    book(client, service.id, start)  # the family: Maria Korhonen
    companion = db.session.scalar(select(Booking).where(Booking.professional_id == counsellor.id))
    assert companion is not None and companion.lead_booking_id is not None
    sign_in(staff.user("worker", professional=counsellor))

    agenda = client.get(f"/staff/agenda?date={start.date().isoformat()}&lang=en")
    assert "Maria Korhonen" in agenda.get_data(as_text=True)
    room = db.session.scalar(select(Room).where(Room.booking_id == companion.lead_booking_id))
    assert room is not None
    invited = [p for p in room.participants if p.display_name == "Pekka Perhe"]
    assert len(invited) == 1  # invited once, as the meeting was confirmed
    assert invited[0].kind in (Kind.WORKER, Kind.COLLEAGUE)
    detail = client.get(f"/staff/bookings/{companion.id}?lang=en").get_data(as_text=True)
    assert "Maria Korhonen" in detail and "maria@example.org" in detail
    targets = set(db.session.scalars(select(AccessLogEntry.target)))
    assert f"booking:{companion.lead_booking_id}" in targets

    done = client.post(f"/staff/bookings/{companion.id}/cancel", data={"reason": "Sairastuminen"})
    assert done.status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(select(Booking).where(Booking.service_id == service.id)).all()
    assert {b.status for b in rows} == {BookingStatus.CANCELLED}
    assert len(rows) == 2


def test_a_worker_books_a_team_time_for_a_family(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(duration_min=60, slot_interval_min=60)
    social = make.professional(service, name="Sari Sosiaali", hours=(time(8), time(12)))
    counsellor = make.professional(service, name="Pekka Perhe", hours=(time(10), time(14)))
    make.pool(service, [social])
    make.pool(service, [counsellor])
    db.session.commit()
    sign_in(staff.user("worker", professional=social))
    start = at_local(3, 10)
    page = client.get(
        f"/staff/book?professional={social.id}&service={service.id}&date={day_of(start)}"
    ).get_data(as_text=True)
    assert f'value="{start.isoformat()}"' in page
    assert f'value="{at_local(3, 8).isoformat()}"' not in page  # Pekka is not free at 8

    done = client.post("/staff/book", data=form(social, service, start))

    assert done.status_code == 302
    rows = db.session.scalars(select(Booking).where(Booking.service_id == service.id)).all()
    assert sorted(b.professional_id for b in rows) == sorted([social.id, counsellor.id])
    assert {b.status for b in rows} == {BookingStatus.CONFIRMED}


def test_the_second_worker_sees_and_adds_to_who_takes_part_from_their_own_row(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    """The people page reached from the further worker's own row of a team meeting is the
    meeting's: it lists who takes part, and a guest added there joins the meeting."""
    service = make.service(duration_min=60, slot_interval_min=60)
    social = make.professional(service, name="Sari Sosiaali", hours=(time(8), time(12)))
    counsellor = make.professional(service, name="Pekka Perhe", hours=(time(10), time(14)))
    make.pool(service, [social])
    make.pool(service, [counsellor])
    db.session.commit()
    book(client, service.id, at_local(3, 10))
    companion = db.session.scalar(select(Booking).where(Booking.professional_id == counsellor.id))
    assert companion is not None and companion.lead_booking_id is not None
    sign_in(staff.user("worker", professional=counsellor))
    added = client.post(
        f"/staff/bookings/{companion.id}/people/guest",
        data={"name": "Terhi Terveydenhoitaja", "email": "terhi@koulu.example", "language": "fi"},
    )
    assert added.status_code == 303
    lead = db.session.get(Booking, companion.lead_booking_id)
    assert lead is not None
    assert [p.name for p in participants_of(lead)] == ["Terhi Terveydenhoitaja"]
    page = client.get(f"/staff/bookings/{companion.id}/people?lang=en").get_data(as_text=True)
    assert "Terhi Terveydenhoitaja" in page
