"""Team services: one professional of every pool at once, in the search and in booking."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from unittest.mock import patch

from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.booking import expire_holds
from scheduler.extensions import db
from scheduler.models import Booking, BookingStatus, Professional, Service
from tests.booking_api import HKI, book, iso, next_weekday_at
from tests.factories import Factories


def slots(client: FlaskClient, service: Service, day: date, **query: object) -> list[dict]:
    extra = "".join(f"&{key}={value}" for key, value in query.items())
    response = client.get(f"/api/v1/services/{service.id}/slots?from={day}&to={day}{extra}")
    assert response.status_code == 200, response.json
    return list(response.json["slots"])


def local_starts(found: list[dict]) -> list[time]:
    return [
        datetime.fromisoformat(s["start_at"].replace("Z", "+00:00")).astimezone(HKI).time()
        for s in found
    ]


def team_of_two(make: Factories) -> tuple[Service, Professional, Professional]:
    """A one-hour team service: a social worker free 8–12, a family counsellor 10–14."""
    service = make.service(duration_min=60, slot_interval_min=60)
    social = make.professional(service, hours=(time(8), time(12)), name="Sari Sosiaalityö")
    counsellor = make.professional(hours=(time(10), time(14)), name="Pekka Perheohjaaja")
    make.pool(service, [social])
    make.pool(service, [counsellor])
    db.session.commit()
    return service, social, counsellor


def active_rows() -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.status.in_([BookingStatus.HELD, BookingStatus.CONFIRMED]))
            .order_by(Booking.professional_id)
        )
    )


def test_a_team_service_offers_only_the_times_both_workers_are_free(
    client: FlaskClient, make: Factories
) -> None:
    service, social, counsellor = team_of_two(make)
    day = next_weekday_at(10).astimezone(HKI).date()

    found = slots(client, service, day)

    assert local_starts(found) == [time(10), time(11)]
    assert all(s["professional_ids"] == [social.id, counsellor.id] for s in found)


def test_buffers_of_one_workers_other_booking_close_the_common_time(
    client: FlaskClient, make: Factories
) -> None:
    service, _social, counsellor = team_of_two(make)
    other = make.service(duration_min=30, buffer_after_min=15)
    counsellor.services.append(other)
    db.session.commit()
    book(client, other.id, next_weekday_at(10), professional_id=counsellor.id)  # 10.00–10.45

    found = slots(client, service, next_weekday_at(10).astimezone(HKI).date())

    assert local_starts(found) == [time(11)]


def test_a_named_worker_and_a_language_choose_within_each_pool(
    client: FlaskClient, make: Factories
) -> None:
    service, social, counsellor = team_of_two(make)
    second = make.professional(hours=(time(8), time(10)), languages=["sv", "fi"])
    swedish = make.professional(hours=(time(8), time(10)), languages=["sv"])
    service.pools[0].members.append(second)
    service.pools[1].members.append(swedish)
    for pro in (second, swedish):
        pro.services.append(service)
    db.session.commit()
    day = next_weekday_at(10).astimezone(HKI).date()

    assert local_starts(slots(client, service, day)) == [time(8), time(9), time(10), time(11)]
    with_counsellor = slots(client, service, day, professional_id=counsellor.id)
    assert local_starts(with_counsellor) == [time(10), time(11)]
    assert all(s["professional_ids"] == [social.id, counsellor.id] for s in with_counsellor)
    in_swedish = slots(client, service, day, language="sv")
    assert local_starts(in_swedish) == [time(8), time(9)]
    assert all(s["professional_ids"] == [second.id, swedish.id] for s in in_swedish)
    assert counsellor.id not in {i for s in in_swedish for i in s["professional_ids"]}


def test_booking_a_team_time_takes_both_workers_and_changes_carry_both(
    client: FlaskClient, make: Factories
) -> None:
    service, social, counsellor = team_of_two(make)
    start = next_weekday_at(10)

    done = book(client, service.id, start)

    lead, companion = active_rows()
    assert (lead.professional_id, companion.professional_id) == (social.id, counsellor.id)
    assert companion.lead_booking_id == lead.id
    assert companion.status == lead.status == BookingStatus.CONFIRMED
    assert (companion.start_at, companion.block_end_at) == (lead.start_at, lead.block_end_at)
    assert companion.client_name is None and companion.client_email is None
    day = start.astimezone(HKI).date()
    assert local_starts(slots(client, service, day)) == [time(11)]

    token = done["manage_token"]
    moved = client.post(
        f"/api/v1/manage/{token}/reschedule", json={"start_at": iso(start + timedelta(hours=1))}
    )
    assert moved.status_code == 200, moved.json
    db.session.expire_all()
    assert [b.start_at for b in active_rows()] == [start + timedelta(hours=1)] * 2
    assert local_starts(slots(client, service, day)) == [time(10)]

    assert client.post(f"/api/v1/manage/{token}/cancel", json={}).status_code == 200
    db.session.expire_all()
    assert active_rows() == []
    assert local_starts(slots(client, service, day)) == [time(10), time(11)]


def test_a_team_time_whose_second_worker_was_just_booked_is_refused(
    client: FlaskClient, make: Factories
) -> None:
    service, _social, counsellor = team_of_two(make)
    other = make.service(duration_min=60)
    counsellor.services.append(other)
    db.session.commit()
    start = next_weekday_at(10)
    book(client, other.id, start, professional_id=counsellor.id)

    held = client.post("/api/v1/holds", json={"service_id": service.id, "start_at": iso(start)})

    assert held.status_code == 409
    assert held.json["error"]["code"] == "slot_taken"
    assert len(active_rows()) == 1


def test_a_team_service_whose_pool_is_empty_offers_nothing_and_refuses_plainly(
    client: FlaskClient, make: Factories
) -> None:
    service, _social, counsellor = team_of_two(make)
    counsellor.active = False  # the second pool's only member left
    db.session.commit()
    start = next_weekday_at(10)

    assert slots(client, service, start.astimezone(HKI).date()) == []
    held = client.post("/api/v1/holds", json={"service_id": service.id, "start_at": iso(start)})

    assert held.status_code == 409
    assert held.json["error"]["code"] == "team_incomplete"
    assert "several workers" in held.json["error"]["message"]
    assert active_rows() == []


def test_a_team_hold_given_back_or_run_out_frees_both_workers(
    client: FlaskClient, make: Factories
) -> None:
    service, _social, _counsellor = team_of_two(make)
    start = next_weekday_at(10)
    body = {"service_id": service.id, "start_at": iso(start)}
    held = client.post("/api/v1/holds", json=body)
    assert held.status_code == 201
    assert len(active_rows()) == 2

    assert client.delete(f"/api/v1/holds/{held.json['hold_token']}").status_code == 204
    db.session.expire_all()
    assert active_rows() == []

    assert client.post("/api/v1/holds", json=body).status_code == 201
    later = datetime.now(UTC) + timedelta(hours=1)
    with patch("scheduler.booking.holds.now_utc", return_value=later):
        expire_holds()
    db.session.commit()
    db.session.expire_all()
    assert active_rows() == []
    assert client.post("/api/v1/holds", json=body).status_code == 201
