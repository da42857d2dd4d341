"""Hold → confirm, cancel and reschedule through the API, and every refusal on the way."""

from __future__ import annotations

from datetime import time, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from scheduler.booking import expire_holds
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import AccessLogEntry, Booking
from scheduler.tokens import token_hash
from tests.booking_api import book, client_body, iso, next_weekday_at
from tests.factories import Factories


def booking_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Booking)) or 0


def test_family_books_a_free_time_and_gets_a_manage_token(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service()
    pro = make.professional(service)
    db.session.commit()
    start = next_weekday_at(9)
    result = book(client, service.id, start)
    assert result["booking"]["status"] == "confirmed"
    assert result["booking"]["professional"]["id"] == pro.id
    assert result["booking"]["client_phone"] == "+358401234567"
    token = result["manage_token"]
    assert len(token) >= 43  # 256 bits in URL-safe base64
    stored = db.session.scalar(select(Booking))
    assert stored is not None
    assert stored.manage_token_hash == token_hash(token)
    assert token not in (stored.manage_token_hash, stored.hold_token_hash)
    shown = client.get(f"/api/v1/manage/{token}")
    assert shown.status_code == 200
    assert shown.json["client_name"] == "Maria Korhonen"


def test_booked_time_disappears_from_the_free_times(client: FlaskClient, make: Factories) -> None:
    service = make.service(buffer_after_min=15)
    make.professional(service)
    db.session.commit()
    start = next_weekday_at(10)
    day = start.date().isoformat()
    before = client.get(f"/api/v1/services/{service.id}/slots?from={day}&to={day}").json["slots"]
    assert iso(start) in [s["start_at"] for s in before]
    book(client, service.id, start)
    after = client.get(f"/api/v1/services/{service.id}/slots?from={day}&to={day}").json["slots"]
    starts = {s["start_at"] for s in after}
    # The meeting (45 min) and its 15-min buffer block 9:15–11:00 local for new 45-min meetings.
    for minutes in (-30, 0, 15, 30, 45):
        assert iso(start + timedelta(minutes=minutes)) not in starts
    assert iso(start + timedelta(minutes=60)) in starts


def test_second_hold_of_the_same_time_is_refused_and_changes_nothing(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service()
    make.professional(service)
    db.session.commit()
    start = next_weekday_at(9)
    first = client.post("/api/v1/holds", json={"service_id": service.id, "start_at": iso(start)})
    assert first.status_code == 201
    count = booking_count()
    second = client.post("/api/v1/holds", json={"service_id": service.id, "start_at": iso(start)})
    assert second.status_code == 409
    assert second.json["error"]["code"] == "slot_taken"
    assert "another time" in second.json["error"]["message"]
    assert booking_count() == count


def test_any_worker_spreads_bookings_and_a_named_worker_is_honoured(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service()
    first = make.professional(service)
    second = make.professional(service)
    db.session.commit()
    start = next_weekday_at(9)
    a = book(client, service.id, start)
    b = book(client, service.id, start)
    assert {a["booking"]["professional"]["id"], b["booking"]["professional"]["id"]} == {
        first.id,
        second.id,
    }
    refused = client.post(
        "/api/v1/holds",
        json={"service_id": service.id, "start_at": iso(start), "professional_id": first.id},
    )
    assert refused.status_code == 409


def test_language_filter_finds_the_sami_speaking_worker(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service()
    make.professional(service, languages=["fi"])
    sami = make.professional(service, languages=["fi", "se"])
    db.session.commit()
    start = next_weekday_at(13)
    result = book(client, service.id, start, language="se")
    assert result["booking"]["professional"]["id"] == sami.id
    day = start.date().isoformat()
    slots = client.get(f"/api/v1/services/{service.id}/slots?from={day}&to={day}&language=se")
    assert slots.json["slots"], "the Sámi-speaking worker still has free times that day"
    assert all(s["professional_ids"] == [sami.id] for s in slots.json["slots"])


def test_expired_hold_cannot_be_confirmed_and_its_time_is_free_again(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    service = make.service()
    make.professional(service)
    db.session.commit()
    start = next_weekday_at(9)
    held = client.post("/api/v1/holds", json={"service_id": service.id, "start_at": iso(start)})
    token = held.json["hold_token"]
    for booking in db.session.scalars(select(Booking)):
        booking.hold_expires_at = now_utc() - timedelta(minutes=1)
    db.session.commit()
    late = client.post("/api/v1/bookings", json=client_body(token))
    assert late.status_code == 410
    assert late.json["error"]["code"] == "hold_expired"
    assert expire_holds() == 1
    db.session.commit()
    again = client.post("/api/v1/holds", json={"service_id": service.id, "start_at": iso(start)})
    assert again.status_code == 201


def test_released_hold_gives_the_time_back(client: FlaskClient, make: Factories) -> None:
    service = make.service()
    make.professional(service)
    db.session.commit()
    start = next_weekday_at(9)
    held = client.post("/api/v1/holds", json={"service_id": service.id, "start_at": iso(start)})
    assert client.delete(f"/api/v1/holds/{held.json['hold_token']}").status_code == 204
    assert (
        client.post(
            "/api/v1/holds", json={"service_id": service.id, "start_at": iso(start)}
        ).status_code
        == 201
    )


def test_family_cancels_through_the_manage_token(client: FlaskClient, make: Factories) -> None:
    service = make.service()
    make.professional(service)
    db.session.commit()
    start = next_weekday_at(9)
    token = book(client, service.id, start)["manage_token"]
    cancelled = client.post(f"/api/v1/manage/{token}/cancel", json={"reason": "sairastuin"})
    assert cancelled.status_code == 200
    assert cancelled.json["status"] == "cancelled"
    assert cancelled.json["cancelled_by"] == "client"
    again = client.post(f"/api/v1/manage/{token}/cancel", json={})
    assert again.status_code == 409
    assert book(client, service.id, start)["booking"]["status"] == "confirmed"


def test_reschedule_moves_the_booking_and_keeps_its_identity(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service()
    make.professional(service)
    db.session.commit()
    start = next_weekday_at(9)
    result = book(client, service.id, start)
    token = result["manage_token"]
    # Fifteen minutes later overlaps the old time: only possible because the move is one update.
    moved = client.post(
        f"/api/v1/manage/{token}/reschedule", json={"start_at": iso(start + timedelta(minutes=15))}
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["start_at"] == iso(start + timedelta(minutes=15))
    assert moved.json["id"] == result["booking"]["id"]
    stored = db.session.get(Booking, result["booking"]["id"])
    assert stored is not None and stored.sequence == 1


def test_reschedule_to_a_taken_time_keeps_the_old_time(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service()
    make.professional(service)
    db.session.commit()
    start = next_weekday_at(9)
    mine = book(client, service.id, start)
    book(client, service.id, start + timedelta(hours=2))
    refused = client.post(
        f"/api/v1/manage/{mine['manage_token']}/reschedule",
        json={"start_at": iso(start + timedelta(hours=2))},
    )
    assert refused.status_code == 409
    shown = client.get(f"/api/v1/manage/{mine['manage_token']}").json
    assert shown["start_at"] == iso(start)
    assert shown["status"] == "confirmed"


def test_wrong_and_expired_manage_tokens_get_clear_answers(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service()
    make.professional(service)
    db.session.commit()
    wrong = client.get("/api/v1/manage/not-a-real-token-at-all")
    assert wrong.status_code == 404
    assert wrong.json["error"]["code"] == "link_not_found"
    token = book(client, service.id, next_weekday_at(9))["manage_token"]
    stored = db.session.scalar(select(Booking))
    assert stored is not None
    for field in ("start_at", "end_at", "block_start_at", "block_end_at"):
        setattr(stored, field, getattr(stored, field) - timedelta(days=30))
    db.session.commit()
    over = client.get(f"/api/v1/manage/{token}")
    assert over.status_code == 410
    assert over.json["error"]["code"] == "link_expired"


def test_bad_input_gets_a_clear_4xx_and_leaves_the_database_unchanged(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service(
        intake_questions=[
            {
                "id": "topic",
                "kind": "choice",
                "required": True,
                "label": {"fi": "Aihe"},
                "options": [{"value": "a", "label": {"fi": "A"}}],
            }
        ]
    )
    closed = make.service(bookable=False)
    make.professional(service)
    make.professional(closed)
    db.session.commit()
    start = next_weekday_at(9)
    cases = [
        ({"service_id": service.id, "start_at": "2027-02-30T10:00:00Z"}, 422),
        ({"service_id": service.id, "start_at": "2027-01-10T10:00:00"}, 422),  # naive
        ({"service_id": service.id, "start_at": iso(start), "extra": 1}, 422),
        ({"service_id": 0, "start_at": iso(start)}, 422),
        ({"service_id": 999, "start_at": iso(start)}, 404),
        ({"service_id": closed.id, "start_at": iso(start)}, 422),
        ({"service_id": service.id, "start_at": iso(start + timedelta(days=400))}, 422),
        ({"service_id": service.id, "start_at": iso(start + timedelta(minutes=7))}, 409),
        ({"service_id": service.id, "start_at": iso(start), "meeting_mode": "phone"}, 422),
    ]
    for body, status in cases:
        response = client.post("/api/v1/holds", json=body)
        assert response.status_code == status, (body, response.json)
        assert response.json["error"]["message"]
    assert booking_count() == 0
    assert client.post("/api/v1/holds", data="not json").status_code == 400
    held = client.post("/api/v1/holds", json={"service_id": service.id, "start_at": iso(start)})
    token = held.json["hold_token"]
    bad_confirms = [
        client_body(token, consent=False),
        client_body(token, client={"name": "A"}),
        client_body(token, client={"name": "A", "phone": "12"}),
        client_body(token, client={"name": "A", "email": "not-an-address"}),
        client_body(token, intake_answers={"topic": "zzz"}),
        client_body(token),  # the required intake answer is missing
        client_body(token, intake_answers={"topic": "a", "unknown": "x"}),
    ]
    for body in bad_confirms:
        response = client.post("/api/v1/bookings", json=body)
        assert response.status_code == 422, (body, response.json)
        assert response.json["error"]["fields"]
    stored = db.session.scalar(select(Booking))
    assert stored is not None and stored.status == "held" and stored.client_name is None
    ok = client.post("/api/v1/bookings", json=client_body(token, intake_answers={"topic": "a"}))
    assert ok.status_code == 201


def test_slot_query_validation(client: FlaskClient, make: Factories) -> None:
    service = make.service()
    db.session.commit()
    for query in (
        "from=2027-13-01",
        "from=2027-03-10&to=2027-03-01",
        "from=2027-01-01&to=2027-08-01",
        "professional_id=abc",
        "limit=0",
        "limit=1001",
        "after=0.5",
        "after=2027-01-01T10:00:00",
        "language=FI!",
        "unknown=1",
    ):
        response = client.get(f"/api/v1/services/{service.id}/slots?{query}")
        assert response.status_code == 422, query
    assert client.get("/api/v1/services/999/slots").status_code == 404


def test_one_request_covers_the_whole_horizon_in_bounded_pages(
    client: FlaskClient, make: Factories
) -> None:
    """26 weeks in one request; the answer stops at its limit and goes on from next_after,
    together giving exactly the starts of one unlimited answer."""
    service = make.service(duration_min=60, slot_interval_min=60, horizon_days=26 * 7)
    make.professional(service, hours=(time(8), time(12)))
    db.session.commit()
    today = now_utc().date()
    span = f"from={today.isoformat()}&to={(today + timedelta(weeks=26)).isoformat()}"
    whole = client.get(f"/api/v1/services/{service.id}/slots?{span}&limit=1000")
    assert whole.status_code == 200
    everything = [s["start_at"] for s in whole.json["slots"]]
    assert len(everything) > 26 * 7 * 3  # every day of the horizon, 4 starts a day
    assert everything[-1] > iso(now_utc() + timedelta(weeks=25))
    pages: list[str] = []
    after = ""
    while True:
        page = client.get(f"/api/v1/services/{service.id}/slots?{span}&limit=300{after}")
        assert page.status_code == 200
        starts = [s["start_at"] for s in page.json["slots"]]
        assert len(starts) <= 300
        pages += starts
        if page.json["next_after"] is None:
            break
        assert page.json["next_after"] == starts[-1]
        after = f"&after={page.json['next_after']}"
    assert pages == everything


def test_daily_limit_per_worker(client: FlaskClient, make: Factories) -> None:
    service = make.service(max_per_worker_per_day=1)
    make.professional(service)
    db.session.commit()
    start = next_weekday_at(9)
    book(client, service.id, start)
    second = client.post(
        "/api/v1/holds",
        json={"service_id": service.id, "start_at": iso(start + timedelta(hours=3))},
    )
    assert second.status_code == 409


def test_strong_identification_is_required_where_the_service_says(
    client: FlaskClient, make: Factories
) -> None:
    service = make.service(requires_strong_id=True)
    make.professional(service)
    db.session.commit()
    held = client.post(
        "/api/v1/holds", json={"service_id": service.id, "start_at": iso(next_weekday_at(9))}
    )
    refused = client.post("/api/v1/bookings", json=client_body(held.json["hold_token"]))
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "identification_required"


def test_reading_and_changing_client_data_is_logged(client: FlaskClient, make: Factories) -> None:
    service = make.service()
    make.professional(service)
    db.session.commit()
    token = book(client, service.id, next_weekday_at(9))["manage_token"]
    client.get(f"/api/v1/manage/{token}")
    client.post(f"/api/v1/manage/{token}/cancel", json={})
    actions = db.session.scalars(select(AccessLogEntry.action).order_by(AccessLogEntry.seq)).all()
    assert actions == ["booking.create", "booking.read", "booking.cancel"]
    roles = set(db.session.scalars(select(AccessLogEntry.role)))
    assert roles == {"client"}
