"""Races that are not for the same start, on PostgreSQL with the schema the migrations
build: starts that overlap only through their buffers, the daily limit (which no database
constraint guards: only the lock on the professional's row does) and "any worker"."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Booking
from tests.booking_api import iso, next_weekday_at
from tests.conftest import RACERS
from tests.factories import Factories

pytestmark = pytest.mark.postgres


def race(app: Flask, bodies: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """Post every hold at once; each racer's status and, when refused, its error code."""
    # End the main thread's transaction first: its snapshot must not hide the winners.
    db.session.commit()
    barrier = threading.Barrier(len(bodies))
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()

    def racer(body: dict[str, Any]) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/holds", json=body)
        code = "" if response.status_code == 201 else response.json["error"]["code"]
        with lock:
            outcomes.append((response.status_code, code))

    threads = [threading.Thread(target=racer, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert len(outcomes) == len(bodies)
    db.session.remove()
    return outcomes


def active_bookings() -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.status.in_(["held", "confirmed"]))
            .order_by(Booking.block_start_at)
        )
    )


def starts_apart(first: datetime, step: timedelta) -> Callable[[int], datetime]:
    return lambda n: first + n * step


def test_holds_whose_buffers_overlap_let_only_one_through(race_app: Flask, make: Factories) -> None:
    # 45 minutes with 10 minutes' buffer each side: starts 10.00, 10.15, 10.30 and 10.45
    # all overlap (10.00 and 10.45 only through the buffers), so exactly one may stand.
    service = make.service(buffer_before_min=10, buffer_after_min=10)
    make.professional(service)
    start = starts_apart(next_weekday_at(10), timedelta(minutes=15))
    bodies = [{"service_id": service.id, "start_at": iso(start(n % 4))} for n in range(RACERS)]

    outcomes = race(race_app, bodies)

    assert Counter(status for status, _code in outcomes) == {201: 1, 409: RACERS - 1}
    assert {code for _status, code in outcomes if code} == {"slot_taken"}
    assert len(active_bookings()) == 1


def test_holds_of_one_day_stop_at_the_daily_limit(race_app: Flask, make: Factories) -> None:
    # Eight different hours of one day, none overlapping, a limit of one a day: only the
    # professional's lock keeps the second through eighth out.
    service = make.service(duration_min=45, max_per_worker_per_day=1)
    pro_id = make.professional(service).id
    start = starts_apart(next_weekday_at(8), timedelta(hours=1))
    bodies = [{"service_id": service.id, "start_at": iso(start(n))} for n in range(RACERS)]

    outcomes = race(race_app, bodies)

    assert Counter(status for status, _code in outcomes) == {201: 1, 409: RACERS - 1}
    assert {code for _status, code in outcomes if code} == {"slot_taken"}
    booked = active_bookings()
    assert [b.professional_id for b in booked] == [pro_id]


def test_any_worker_gives_each_worker_one_family_and_no_more(
    race_app: Flask, make: Factories
) -> None:
    service = make.service()
    workers = {make.professional(service).id for _ in range(3)}
    start = next_weekday_at(10)
    bodies = [{"service_id": service.id, "start_at": iso(start)} for _ in range(RACERS)]

    outcomes = race(race_app, bodies)

    assert Counter(status for status, _code in outcomes) == {201: 3, 409: RACERS - 3}
    booked = active_bookings()
    assert sorted(b.professional_id for b in booked) == sorted(workers)
    assert {b.start_at for b in booked} == {start}


def test_any_worker_under_a_daily_limit_books_each_worker_once(
    race_app: Flask, make: Factories
) -> None:
    service = make.service(duration_min=45, max_per_worker_per_day=1)
    workers = {make.professional(service).id for _ in range(3)}
    start = starts_apart(next_weekday_at(8), timedelta(hours=1))
    bodies = [{"service_id": service.id, "start_at": iso(start(n))} for n in range(RACERS)]

    outcomes = race(race_app, bodies)

    assert Counter(status for status, _code in outcomes) == {201: 3, 409: RACERS - 3}
    assert sorted(b.professional_id for b in active_bookings()) == sorted(workers)
