"""The daily limit counts bookings by the organisation's local day, not by UTC date:
00.30 in Helsinki is 22.30 or 21.30 UTC of the day before."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import Flask

from scheduler.extensions import db
from scheduler.kernel import HELSINKI, now_utc
from scheduler.models import Booking, Service
from tests.booking_api import iso
from tests.factories import Factories


def _booking(service: Service, pro_id: int, start: datetime) -> Booking:
    now = now_utc()
    end = start + timedelta(minutes=service.duration_min)
    return Booking(
        uid=f"limit-{start.isoformat()}",
        organisation_id=service.organisation_id,
        service_id=service.id,
        professional_id=pro_id,
        start_at=start,
        end_at=end,
        block_start_at=start,
        block_end_at=end,
        status="confirmed",
        created_at=now,
        updated_at=now,
        intake_answers={},
    )


def _slot_days(app: Flask, service_id: int, first: date, last: date) -> set[date]:
    response = app.test_client().get(f"/api/v1/services/{service_id}/slots?from={first}&to={last}")
    assert response.status_code == 200
    return {
        datetime.fromisoformat(slot["start_at"]).astimezone(HELSINKI).date()
        for slot in response.json["slots"]
    }


def test_a_booking_just_after_local_midnight_counts_on_its_local_day(
    any_app: Flask, make: Factories
) -> None:
    service = make.service(duration_min=30, max_per_worker_per_day=1)
    pro_id = make.professional(service, hours=(time(0), time(16))).id
    day = date.today() + timedelta(days=5)
    before = day - timedelta(days=1)
    # 00.30 local on ``day`` is on the UTC date before it: a count by UTC dates would put
    # this booking on ``before``, leave ``day`` open and close ``before``.
    early = datetime.combine(day, time(0, 30), tzinfo=HELSINKI).astimezone(UTC)
    assert early.date() == before
    db.session.add(_booking(service, pro_id, early))
    db.session.commit()

    assert _slot_days(any_app, service.id, before, day) == {before}
    held = any_app.test_client().post(
        "/api/v1/holds",
        json={
            "service_id": service.id,
            "start_at": iso(datetime.combine(day, time(10), tzinfo=HELSINKI)),
        },
    )
    assert held.status_code == 409
    assert held.json["error"]["code"] == "slot_taken"
    held = any_app.test_client().post(
        "/api/v1/holds",
        json={
            "service_id": service.id,
            "start_at": iso(datetime.combine(before, time(10), tzinfo=HELSINKI)),
        },
    )
    assert held.status_code == 201
