"""A worker books a time for both parents: the other parent gets their own invitation and
link, as when the first parent names them; their contact details must be their own and
the service must allow a second client, or nothing is booked."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

import notifications
from scheduler.extensions import db
from scheduler.models import AccessLogEntry, Booking, BookingParticipant
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local
from tests.staff.test_book_for_family import bookings, form

OTHER = {
    "second_name": "Matti Virtanen",
    "second_email": "matti@example.org",
    "second_phone": "050 765 4321",
    "second_language": "en",
}


def _outbox(group: str) -> list[notifications.OutboxMessage]:
    return list(
        db.session.scalars(
            select(notifications.OutboxMessage).where(
                notifications.OutboxMessage.group_key == group
            )
        )
    )


def test_the_worker_books_for_both_parents_and_the_other_gets_their_own_link(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(allows_second_client=True)
    pro = make.professional(service)
    user = staff.user("worker", professional=pro)
    sign_in(user)
    start = at_local(3, 10)
    page = client.get(f"/staff/book?professional={pro.id}&service={service.id}&lang=sv")
    assert 'id="second_email"' in page.get_data(as_text=True)

    done = client.post("/staff/book", data=form(pro, service, start, **OTHER))
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    (booking,) = bookings()
    (second,) = db.session.scalars(select(BookingParticipant)).all()
    assert (second.name, second.email, second.phone, second.language) == (
        "Matti Virtanen",
        "matti@example.org",
        "+358507654321",
        "en",
    )
    assert second.booking_id == booking.id and second.added_by_staff_id == user.id
    assert second.manage_token_hash and second.manage_token_hash != booking.manage_token_hash
    theirs = _outbox(f"booking:{booking.uid}:p{second.id}")
    assert {(m.template, m.recipient) for m in theirs if m.template == "invitation"} == {
        ("invitation", "matti@example.org"),
        ("invitation", "+358507654321"),
    }
    assert {m.language for m in theirs} == {"en"}
    sealed = notifications.sealed_secrets(f"booking:{booking.uid}:p{second.id}")
    assert sealed is not None and "/attend/" in sealed["manage_url"]
    # Neither parent's messages carry the other's contact details.
    for message in _outbox(f"booking:{booking.uid}"):
        assert "matti" not in str(message.context) and "765" not in str(message.context)
    for message in theirs:
        assert "maija" not in str(message.context) and "1234567" not in str(message.context)
    added = db.session.scalars(
        select(AccessLogEntry.target).where(AccessLogEntry.action == "participant.add")
    ).all()
    assert added == [f"participant:{second.id}"]


def test_the_first_parents_contact_for_the_other_is_refused_and_nothing_booked(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(allows_second_client=True)
    pro = make.professional(service)
    sign_in(staff.user("worker", professional=pro))
    start = at_local(3, 10)
    words = {
        "fi": "Toisella vanhemmalla on oltava omat yhteystiedot",
        "sv": "Den andra föräldern behöver egna kontaktuppgifter",
        "en": "The other parent needs contact details of their own",
    }
    for lang, text in words.items():
        same_phone = form(pro, service, start, **{**OTHER, "second_phone": "+358 40 123 4567"})
        refused = client.post(f"/staff/book?lang={lang}", data=same_phone)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422
        assert text in html and 'id="second_phone-error"' in html
    same_email = form(pro, service, start, **{**OTHER, "second_email": "MAIJA@example.org"})
    refused = client.post("/staff/book?lang=en", data=same_email)
    assert refused.status_code == 422
    assert 'id="second_email-error"' in refused.get_data(as_text=True)
    assert db.session.scalars(select(Booking)).all() == []
    assert db.session.scalars(select(BookingParticipant)).all() == []


def test_a_second_parent_on_a_service_for_one_is_refused_and_nothing_booked(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    sign_in(staff.user("worker", professional=pro))
    start = at_local(3, 10)
    page = client.get(f"/staff/book?professional={pro.id}&service={service.id}")
    assert 'id="second_email"' not in page.get_data(as_text=True)
    refused = client.post("/staff/book?lang=en", data=form(pro, service, start, **OTHER))
    assert refused.status_code == 422
    assert "This service is booked for one client only." in refused.get_data(as_text=True)
    assert db.session.scalars(select(Booking)).all() == []
    assert db.session.scalars(select(BookingParticipant)).all() == []


def test_the_other_parents_details_must_be_whole(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(allows_second_client=True)
    pro = make.professional(service)
    sign_in(staff.user("worker", professional=pro))
    start = at_local(3, 10)
    nameless = form(pro, service, start, second_email="matti@example.org")
    refused = client.post("/staff/book?lang=en", data=nameless)
    assert refused.status_code == 422
    assert 'id="second_name-error"' in refused.get_data(as_text=True)
    unreachable = form(pro, service, start, second_name="Matti Virtanen")
    refused = client.post("/staff/book?lang=en", data=unreachable)
    assert refused.status_code == 422
    assert 'id="second_email-error"' in refused.get_data(as_text=True)
    assert db.session.scalars(select(Booking)).all() == []


def test_the_staff_api_books_both_parents_with_the_same_rules(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    from tests.staff.api_tokens import issue_token
    from tests.staff.test_staff_api import booking_body

    service = make.service(allows_second_client=True)
    pro = make.professional(service)
    headers = issue_token(staff, "worker", professional=pro)
    start = at_local(3, 10)
    other = {"name": "Matti Virtanen", "email": "matti@example.org", "language": "en"}
    url = "/api/v1/staff/bookings"
    same = booking_body(pro, service, start, second_client={**other, "email": "maija@example.org"})
    refused = client.post(url, json=same, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == (
        "same_contact_as_first"
    )
    assert db.session.scalars(select(Booking)).all() == []

    done = client.post(
        url, json=booking_body(pro, service, start, second_client=other), headers=headers
    )
    assert done.status_code == 201, done.get_json()
    assert "matti" not in done.get_data(as_text=True)
    (second,) = db.session.scalars(select(BookingParticipant)).all()
    assert (second.name, second.email, second.language) == (
        "Matti Virtanen",
        "matti@example.org",
        "en",
    )
    assert second.added_by_staff_id is not None

    single = make.service()
    solo = make.professional(single)
    headers = issue_token(staff, "worker", professional=solo)
    body = booking_body(solo, single, start, second_client=other)
    refused = client.post(url, json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "second_client_not_allowed"
    assert len(db.session.scalars(select(Booking)).all()) == 1
