"""The cached free times against the minute-by-minute oracle: a day with a hold, an
absence, a busy time from a calendar feed, bookings with buffers and a daily limit, read
through the API twice (the second answer from the cache) and compared with what the
oracle finds from the same facts, written out here rather than read back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import Flask
from flask.testing import FlaskClient

from scheduler.availability import Interval, ServiceParams, WeeklyRule, WorkerSchedule
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, now_utc
from scheduler.models import Absence, CalendarFeed, ExternalBusy
from tests.availability.test_availability_oracle import oracle_free_slots
from tests.booking_api import book, iso
from tests.factories import Factories

DURATION, INTERVAL, BEFORE, AFTER, LIMIT = 45, 15, 10, 15, 2


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HELSINKI).astimezone(UTC)


def answer(client: FlaskClient, service_id: int, day: date) -> list[tuple[str, tuple[int, ...]]]:
    response = client.get(f"/api/v1/services/{service_id}/slots?from={day}&to={day}")
    assert response.status_code == 200, response.json
    return [(s["start_at"], tuple(s["professional_ids"])) for s in response.json["slots"]]


def block(start: datetime) -> Interval:
    return Interval(start - timedelta(minutes=BEFORE), start + timedelta(minutes=DURATION + AFTER))


def test_cached_free_times_are_the_oracles_answer(any_app: Flask, make: Factories) -> None:
    day = date.today() + timedelta(days=3)
    service = make.service(
        duration_min=DURATION,
        slot_interval_min=INTERVAL,
        buffer_before_min=BEFORE,
        buffer_after_min=AFTER,
        max_per_worker_per_day=LIMIT,
    )
    first = make.professional(service, hours=(time(8), time(16)))
    second = make.professional(service, hours=(time(9), time(13)))
    service_id, first_id, second_id = service.id, first.id, second.id
    db.session.add(Absence(professional_id=first_id, start_at=at(day, 12), end_at=at(day, 13)))
    feed = CalendarFeed(
        professional_id=first_id,
        url="https://calendar.example.org/busy.ics",
        created_at=now_utc(),
        last_success_at=now_utc(),
    )
    db.session.add(feed)
    db.session.flush()
    db.session.add(
        ExternalBusy(
            professional_id=first_id,
            feed_id=feed.id,
            start_at=at(day, 14, 5),
            end_at=at(day, 14, 35),
            source_uid="busy-1",
        )
    )
    db.session.commit()
    client = any_app.test_client()
    # The first worker: one booking. The second: one booking and one hold, its limit.
    book(client, service_id, at(day, 9, 30), professional_id=first_id)
    book(client, service_id, at(day, 9), professional_id=second_id)
    held = client.post(
        "/api/v1/holds",
        json={"service_id": service_id, "start_at": iso(at(day, 11)), "professional_id": second_id},
    )
    assert held.status_code == 201, held.json

    fresh = answer(client, service_id, day)
    cached = answer(client, service_id, day)

    params = ServiceParams(
        duration_min=DURATION,
        slot_interval_min=INTERVAL,
        buffer_before_min=BEFORE,
        buffer_after_min=AFTER,
        horizon_days=56,
        max_per_day=LIMIT,
    )
    workers = [
        WorkerSchedule(
            first_id,
            rules=[WeeklyRule(d, time(8), time(16)) for d in range(7)],
            absences=[Interval(at(day, 12), at(day, 13))],
            busy=[block(at(day, 9, 30)), Interval(at(day, 14, 5), at(day, 14, 35))],
            bookings_per_day={day: 1},
        ),
        WorkerSchedule(
            second_id,
            rules=[WeeklyRule(d, time(9), time(13)) for d in range(7)],
            busy=[block(at(day, 9)), block(at(day, 11))],
            bookings_per_day={day: 2},
        ),
    ]
    expected = [
        (iso(start), ids)
        for start, ids in oracle_free_slots(
            params, workers, HELSINKI, now_utc(), at(day, 0), at(day + timedelta(days=1), 0)
        )
    ]
    assert expected, "the first worker has free times left that day"
    assert {ids for _start, ids in expected} == {(first_id,)}, "the second is at the limit"
    assert cached == fresh
    assert cached == expected
