"""A colleague added to a booking later takes their time as a team meeting's further
professional does: the free-times searches (the family's and the staff's) stop offering
it, buffers included; the database refuses an overlap; taking them out, moving or
cancelling the booking gives it back or carries it along; the move page offers only times
every added colleague is free, and none of them as the meeting's new worker."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from flask import Flask
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


def _move_page(client: FlaskClient, booking: Booking, day: datetime, lang: str = "fi") -> str:
    page = client.get(
        f"/staff/bookings/{booking.id}/move?date={local_date(day, HELSINKI)}&lang={lang}"
    )
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_the_move_page_offers_no_time_an_added_colleague_is_busy_and_not_them_as_worker(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, pro, colleague = _setting(make, staff)
    third = make.professional(booking.service, name="Anna Psykologi")
    ten = START + timedelta(days=1)  # 10.00 the next day: the colleague has a meeting then
    staff.booking(booking.service, colleague, ten)
    db.session.commit()
    sign_in(staff.user("worker", professional=pro))
    client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id)},
    )
    html = _move_page(client, booking, ten)
    for worker in (pro, third):
        # The meeting blocks an hour (15 minutes after it): from 9.15 it would overlap.
        assert f'value="{(ten - timedelta(hours=1)).isoformat()}|{worker.id}"' in html
        for minutes in (-45, 0, 30):
            start = ten + timedelta(minutes=minutes)
            assert f'value="{start.isoformat()}|{worker.id}"' not in html
        assert f'value="{(ten + timedelta(minutes=45)).isoformat()}|{worker.id}"' in html
        assert f'value="{(ten + timedelta(hours=3)).isoformat()}|{worker.id}"' in html
    # Free at 13.00, but the colleague cannot become the meeting's own worker.
    assert f'|{colleague.id}"' not in html

    choice = {
        "date": local_date(ten, HELSINKI).isoformat(),
        "choice": f"{ten.isoformat()}|{pro.id}",
    }
    for data in (choice, {**choice, "confirmed": "1"}):
        refused = client.post(f"/staff/bookings/{booking.id}/move", data=data)
        assert refused.status_code == 409
        assert "Tapaamiseen osallistuvalla työkaverilla on toinen tapaaminen" in refused.get_data(
            as_text=True
        )
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).start_at == START


def test_the_move_page_says_so_when_a_colleague_is_busy_at_every_free_time_of_the_day(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, pro, colleague = _setting(make, staff)
    sign_in(staff.user("worker", professional=pro))
    client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id)},
    )
    next_day = START + timedelta(days=1)
    make.absence(colleague, next_day - timedelta(hours=4), next_day + timedelta(hours=10))
    db.session.commit()
    html = _move_page(client, booking, next_day)
    assert 'type="radio"' not in html
    assert "Tapaamiseen osallistuva työkaveri on varattu kaikkina tämän päivän" in html
    assert "Tälle päivälle ei ole vapaita aikoja." not in html
    english = _move_page(client, booking, next_day, "en")
    assert "A colleague taking part is busy at every free time of this day" in english
    swedish = _move_page(client, booking, next_day, "sv")
    assert "En kollega som deltar är upptagen vid alla lediga tider" in swedish
    # A day the colleague is free offers times as before.
    assert 'type="radio"' in _move_page(client, booking, START + timedelta(days=2))


def test_the_colleagues_meetings_and_absences_are_read_in_one_query_for_the_whole_day(
    any_app: Flask, make: Factories
) -> None:
    from sqlalchemy import event

    from scheduler.booking.colleagues import fitting_moves
    from scheduler.booking.guests import add_colleague

    staff = Staff(make)
    booking, pro, colleague = _setting(make, staff)
    second = make.professional(booking.service)
    user = staff.user("worker", professional=pro)
    add_colleague(booking, user, colleague.id)
    add_colleague(booking, user, second.id)
    next_day = START + timedelta(days=1)
    staff.booking(booking.service, colleague, next_day)
    make.absence(second, next_day + timedelta(hours=2), next_day + timedelta(hours=3))
    db.session.commit()
    starts = [next_day + timedelta(minutes=15 * n) for n in range(-8, 24)]
    assert booking.service.duration_min == 45 and pro.id  # loaded before counting
    statements: list[str] = []

    def watch(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        fitting = fitting_moves(booking, [(start, pro) for start in starts])
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    assert len(statements) == 2, statements  # who the colleagues are, then what keeps them busy
    kept = [start for start, _pro in fitting.choices]
    busy = {start for start, _pro in fitting.colleague_busy}
    assert next_day - timedelta(hours=1) in kept and next_day + timedelta(minutes=45) in kept
    assert {next_day - timedelta(minutes=45), next_day + timedelta(minutes=30)} <= busy
    assert next_day + timedelta(hours=2) in busy and next_day + timedelta(hours=3) in kept
    assert set(kept) | busy == set(starts) and not set(kept) & busy
