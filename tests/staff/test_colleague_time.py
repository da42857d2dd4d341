"""A colleague added to a booking later takes their time as a team meeting's further
professional does: the free-times searches (the family's and the staff's) stop offering
it, buffers included; the database refuses an overlap; taking them out, moving or
cancelling the booking gives it back or carries it along."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from flask.testing import FlaskClient
from sqlalchemy import select

from notifications import OutboxMessage
from scheduler.booking import cancel, reschedule
from scheduler.booking.taking import StaffTerms
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date
from scheduler.models import ACTIVE_STATUSES, Booking, BookingParticipant, Professional
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local

START = at_local(4, 10)


def _setting(make: Factories, staff: Staff) -> tuple[Booking, Professional, Professional]:
    """A 45-minute meeting at 10 with 15 minutes after it (it blocks 10.00–11.00), its
    worker and a colleague free all day."""
    service = make.service(duration_min=45, slot_interval_min=15, buffer_after_min=15)
    pro = make.professional(service, name="Liisa Sosiaalityöntekijä", email="liisa@example.org")
    colleague = make.professional(
        service, name="Pekka Perheneuvoja", email="pekka@example.org", languages=["sv", "fi"]
    )
    booking = staff.booking(service, pro, START)
    booking.block_end_at = booking.end_at + timedelta(minutes=15)
    db.session.commit()
    return booking, pro, colleague


def _family_starts(client: FlaskClient, booking: Booking, pro: Professional) -> set[datetime]:
    day = local_date(START, HELSINKI)
    found = client.get(
        f"/api/v1/services/{booking.service_id}/slots?from={day}&to={day}&professional_id={pro.id}"
    )
    assert found.status_code == 200, found.json
    return {
        datetime.fromisoformat(s["start_at"].replace("Z", "+00:00")) for s in found.json["slots"]
    }


def _staff_offers(
    client: FlaskClient, booking: Booking, pro: Professional, start: datetime
) -> bool:
    day = local_date(START, HELSINKI).isoformat()
    page = client.get(
        f"/staff/book?professional={pro.id}&service={booking.service_id}&date={day}"
        f"&start={quote(START.isoformat())}"
    )
    assert page.status_code == 200
    return f'value="{start.isoformat()}"' in page.get_data(as_text=True)


def _colleague_rows(colleague: Professional) -> list[Booking]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Booking).where(
                Booking.professional_id == colleague.id, Booking.status.in_(ACTIVE_STATUSES)
            )
        )
    )


def test_an_added_colleagues_time_is_not_offered_until_they_are_taken_out(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, _pro, colleague = _setting(make, staff)
    sign_in(staff.user("unit_admin", unit=booking.service.unit))
    before = _family_starts(client, booking, colleague)  # the cache is warm now
    assert {START, START + timedelta(minutes=45), START + timedelta(hours=1)} <= before
    assert _staff_offers(client, booking, colleague, START)

    added = client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id)},
    )
    assert added.status_code == 303
    taken = _family_starts(client, booking, colleague)
    assert START not in taken
    assert START - timedelta(minutes=15) not in taken  # its own buffer counts too
    assert START - timedelta(hours=1) in taken
    assert START + timedelta(minutes=45) not in taken  # the meeting's buffer counts
    assert START + timedelta(hours=1) in taken
    assert not _staff_offers(client, booking, colleague, START)
    (row,) = _colleague_rows(colleague)
    assert row.lead_booking_id == booking.id and row.block_end_at == booking.block_end_at

    person = db.session.scalars(select(BookingParticipant)).one()
    removed = client.post(f"/staff/bookings/{booking.id}/people/{person.id}/remove")
    assert removed.status_code == 303
    assert _family_starts(client, booking, colleague) == before
    assert _staff_offers(client, booking, colleague, START)
    assert _colleague_rows(colleague) == []


def test_a_colleague_with_another_meeting_then_is_refused_even_outside_hours(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, _pro, colleague = _setting(make, staff)
    other = staff.booking(booking.service, colleague, START + timedelta(minutes=45))
    sign_in(staff.user("unit_admin", unit=booking.service.unit))
    refused = client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id), "outside_hours": "1"},
    )
    assert refused.status_code == 409
    assert "Työkaverilla on toinen tapaaminen tähän aikaan." in refused.get_data(as_text=True)
    assert _colleague_rows(colleague) == [other]
    assert db.session.scalars(select(BookingParticipant)).all() == []
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_moving_or_cancelling_the_booking_carries_the_colleagues_time_along(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, pro, colleague = _setting(make, staff)
    sign_in(staff.user("worker", professional=pro))
    client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id)},
    )
    later = START + timedelta(hours=3)
    reschedule(booking, later, terms=StaffTerms())
    db.session.commit()
    (row,) = _colleague_rows(colleague)
    assert (row.start_at, row.block_end_at) == (later, later + timedelta(minutes=60))
    assert START in _family_starts(client, booking, colleague)
    assert later not in _family_starts(client, booking, colleague)

    cancel(db.session.get(Booking, booking.id), by="staff")
    db.session.commit()
    assert _colleague_rows(colleague) == []
    assert later in _family_starts(client, booking, colleague)
    notices = db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.language, OutboxMessage.context).where(
            OutboxMessage.template == "staff_notice"
        )
    ).all()
    # The move and the cancellation, each to both workers once, each in their own language.
    assert sorted((to, lang, c["event"]) for to, lang, c in notices) == [
        ("liisa@example.org", "fi", "cancelled"),
        ("liisa@example.org", "fi", "moved"),
        ("pekka@example.org", "sv", "cancelled"),
        ("pekka@example.org", "sv", "moved"),
    ]


def test_a_move_onto_a_time_the_colleague_has_another_meeting_is_refused(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, pro, colleague = _setting(make, staff)
    later = START + timedelta(hours=3)
    staff.booking(booking.service, colleague, later)
    sign_in(staff.user("worker", professional=pro))
    client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id)},
    )
    day = local_date(later, HELSINKI).isoformat()
    refused = client.post(
        f"/staff/bookings/{booking.id}/move",
        data={"date": day, "choice": f"{later.isoformat()}|{pro.id}", "confirmed": "1"},
    )
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert (
        "Tapaamiseen osallistuvalla työkaverilla on toinen tapaaminen tai poissaolo siihen aikaan."
        in text
    )
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).start_at == START
    assert sorted(row.start_at for row in _colleague_rows(colleague)) == [START, later]


def test_a_move_onto_a_time_the_colleague_is_away_is_refused(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, pro, colleague = _setting(make, staff)
    later = START + timedelta(hours=3)
    sign_in(staff.user("worker", professional=pro))
    client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id)},
    )
    make.absence(colleague, later - timedelta(minutes=30), later + timedelta(hours=2))
    db.session.commit()
    day = local_date(later, HELSINKI).isoformat()
    refused = client.post(
        f"/staff/bookings/{booking.id}/move?lang=en",
        data={"date": day, "choice": f"{later.isoformat()}|{pro.id}", "confirmed": "1"},
    )
    assert refused.status_code == 409
    assert "has another meeting or is away at that time" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).start_at == START
