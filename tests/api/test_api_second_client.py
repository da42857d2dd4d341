"""The API names a second client at booking (the other parent) with the same rules as the
family's form; each client's cancel through their own token means that they will not
take part, and the meeting goes on with the other unless the service says otherwise."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

import notifications
from scheduler.extensions import db
from scheduler.models import (
    AccessLogEntry,
    Attendance,
    Booking,
    BookingParticipant,
    BookingStatus,
    Service,
)
from tests.booking_api import client_body, iso, next_weekday_at
from tests.factories import Factories

OTHER = {
    "name": "Matti Virtanen",
    "email": "matti@example.org",
    "phone": "050 765 4321",
    "language": "sv",
}


def _hold(client: FlaskClient, service: Service) -> str:
    start = next_weekday_at(9, days_ahead=3)
    held = client.post("/api/v1/holds", json={"service_id": service.id, "start_at": iso(start)})
    assert held.status_code == 201, held.json
    return str(held.json["hold_token"])


def _both(client: FlaskClient, make: Factories, **fields: Any) -> tuple[str, str, Booking]:
    """A booking for both parents; the first client's token, the second's, the booking."""
    service = make.service(allows_second_client=True, **fields)
    make.professional(service, email="worker@kunta.test")
    db.session.commit()
    done = client.post(
        "/api/v1/bookings", json=client_body(_hold(client, service), second_client=OTHER)
    )
    assert done.status_code == 201, done.json
    (second,) = db.session.scalars(select(BookingParticipant)).all()
    sealed = notifications.sealed_secrets(f"booking:{second.booking.uid}:p{second.id}")
    assert sealed is not None
    return done.json["manage_token"], sealed["manage_url"].rsplit("/", 1)[1], second.booking


def _actions(action: str) -> list[str]:
    rows = select(AccessLogEntry.target).where(AccessLogEntry.action == action)
    return list(db.session.scalars(rows))


def test_the_api_books_both_parents_and_neither_sees_the_other(
    client: FlaskClient, make: Factories
) -> None:
    first_token, second_token, booking = _both(client, make)
    (second,) = db.session.scalars(select(BookingParticipant)).all()
    assert (second.name, second.email, second.phone, second.language) == (
        "Matti Virtanen",
        "matti@example.org",
        "+358507654321",
        "sv",
    )
    invitations = db.session.scalars(
        select(notifications.OutboxMessage).where(
            notifications.OutboxMessage.group_key == f"booking:{booking.uid}:p{second.id}",
            notifications.OutboxMessage.template == "invitation",
        )
    ).all()
    assert {m.recipient for m in invitations} == {"matti@example.org", "+358507654321"}
    assert _actions("participant.add") == [f"participant:{second.id}"]

    first_view = client.get(f"/api/v1/manage/{first_token}")
    assert first_view.status_code == 200
    assert "matti" not in first_view.text and "765" not in first_view.text
    second_view = client.get(f"/api/v1/manage/{second_token}")
    assert second_view.status_code == 200
    assert second_view.json["role"] == "client" and second_view.json["name"] == "Matti Virtanen"
    assert second_view.json["attendance"] == "invited"
    assert "maria" not in second_view.text.lower() and "1234567" not in second_view.text
    assert _actions("participant.view") == [f"participant:{second.id}"]
    # A participant moves nothing: the link is theirs, not the booking's.
    moved = client.post(
        f"/api/v1/manage/{second_token}/reschedule",
        json={"start_at": iso(next_weekday_at(11, days_ahead=3))},
    )
    assert moved.status_code == 404


def test_the_first_clients_contact_for_the_second_is_refused_and_nothing_changes(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service(allows_second_client=True)
    make.professional(service)
    db.session.commit()
    hold = _hold(client, service)
    for same in ({"email": "MARIA@example.org"}, {"phone": "+358 40 123 4567"}):
        refused = client.post(
            "/api/v1/bookings", json=client_body(hold, second_client={**OTHER, **same})
        )
        assert refused.status_code == 422, refused.json
        assert refused.json["error"]["code"] == "same_contact_as_first"
    (held,) = db.session.scalars(select(Booking)).all()
    assert held.status == BookingStatus.HELD and held.client_email is None
    assert db.session.scalars(select(BookingParticipant)).all() == []
    nameless = client.post(
        "/api/v1/bookings", json=client_body(hold, second_client={"name": "Matti"})
    )
    assert nameless.status_code == 422


def test_a_second_client_on_a_service_for_one_is_refused_and_nothing_changes(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service()
    make.professional(service)
    db.session.commit()
    refused = client.post(
        "/api/v1/bookings", json=client_body(_hold(client, service), second_client=OTHER)
    )
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "second_client_not_allowed"
    (held,) = db.session.scalars(select(Booking)).all()
    assert held.status == BookingStatus.HELD
    assert db.session.scalars(select(BookingParticipant)).all() == []


def test_the_second_clients_cancel_means_they_will_not_take_part(
    client: FlaskClient, make: Factories
) -> None:
    first_token, second_token, booking = _both(client, make)
    # "this and the later meetings" is the booking's own link's choice, not silently "this".
    following = client.post(f"/api/v1/manage/{second_token}/cancel", json={"scope": "following"})
    assert following.status_code == 422, following.json
    (unchanged,) = db.session.scalars(select(BookingParticipant)).all()
    assert unchanged.attendance != Attendance.DECLINED
    done = client.post(f"/api/v1/manage/{second_token}/cancel", json={})
    assert done.status_code == 200, done.json
    assert done.json["attendance"] == "declined"
    assert done.json["booking"]["status"] == "confirmed"
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED
    (second,) = db.session.scalars(select(BookingParticipant)).all()
    assert second.attendance == Attendance.DECLINED
    notice = db.session.scalars(
        select(notifications.OutboxMessage).where(
            notifications.OutboxMessage.template == "staff_notice",
            notifications.OutboxMessage.recipient == "worker@kunta.test",
        )
    ).all()
    assert [m.context["event"] for m in notice] == ["booked", "declined"]
    assert client.get(f"/api/v1/manage/{first_token}").json["status"] == "confirmed"

    back = client.post(f"/api/v1/manage/{second_token}/attendance", json={"attending": True})
    assert back.status_code == 200 and back.json["attendance"] == "confirmed"
    bad = client.post(f"/api/v1/manage/{second_token}/attendance", json={"attending": "maybe"})
    assert bad.status_code == 422


def test_the_first_clients_cancel_leaves_the_meeting_to_the_other(
    client: FlaskClient, make: Factories
) -> None:
    first_token, _second_token, booking = _both(client, make)
    done = client.post(f"/api/v1/manage/{first_token}/cancel", json={"reason": "ill"})
    assert done.status_code == 200
    assert done.json["status"] == "confirmed" and done.json["client_left"] is True
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED and booking.client_left_at is not None

    back = client.post(f"/api/v1/manage/{first_token}/attendance", json={"attending": True})
    assert back.status_code == 200 and back.json["client_left"] is False
    db.session.refresh(booking)
    assert booking.client_left_at is None


def test_a_service_may_say_one_client_leaving_cancels(client: FlaskClient, make: Factories) -> None:
    _first_token, second_token, booking = _both(client, make, client_leaving_cancels=True)
    done = client.post(f"/api/v1/manage/{second_token}/cancel", json={})
    assert done.status_code == 200
    assert done.json["booking"]["status"] == "cancelled"
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED
    again = client.post(f"/api/v1/manage/{second_token}/attendance", json={"attending": True})
    assert again.status_code == 409


def test_the_openapi_document_names_the_second_client_and_the_answers(
    client: FlaskClient,
) -> None:
    document = client.get("/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]
    assert "second_client" in schemas["ConfirmIn"]["properties"]
    assert set(schemas["ParticipantDetailOut"]["properties"]) >= {"role", "attendance"}
    cancel = document["paths"]["/manage/{token}/cancel"]["post"]["responses"]["200"]
    assert len(cancel["content"]["application/json"]["schema"]["anyOf"]) == 2
    assert "post" in document["paths"]["/manage/{token}/attendance"]
