"""Booking is never double: 50 concurrent families, one slot, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from notifications.models import OutboxMessage
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import Booking
from scheduler.schema import create_all
from tests.booking_api import client_body, iso, next_weekday_at
from tests.conftest import make_app
from tests.factories import Factories

RACERS = 50


def race_for_one_slot(app: Flask, make: Factories) -> Counter[int]:
    service = make.service()
    make.professional(service)
    service_id = service.id
    # End the main thread's transaction: on SQLite an open one would hold the write lock.
    db.session.commit()
    start = next_weekday_at(10)
    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []
    codes: list[str] = []
    lock = threading.Lock()

    def family() -> None:
        client = app.test_client()
        barrier.wait()
        held = client.post("/api/v1/holds", json={"service_id": service_id, "start_at": iso(start)})
        status = held.status_code
        if status == 201:
            done = client.post("/api/v1/bookings", json=client_body(held.json["hold_token"]))
            status = done.status_code
        with lock:
            statuses.append(status)
            if held.status_code != 201:
                codes.append(held.json["error"]["code"])

    threads = [threading.Thread(target=family) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert set(codes) <= {"slot_taken"}, (statuses, codes)
    db.session.remove()
    active = db.session.scalar(
        select(func.count()).select_from(Booking).where(Booking.status.in_(["held", "confirmed"]))
    )
    assert active == 1, statuses
    return Counter(statuses)


def test_fifty_families_racing_for_one_slot_on_postgres(
    postgres_database: str, tmp_path: Path, make: Factories
) -> None:
    app = make_app(
        tmp_path,
        postgres_database,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": RACERS, "max_overflow": 5},
    )
    with app.app_context():
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        db.session.execute(db.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()
        try:
            assert race_for_one_slot(app, make) == Counter({201: 1, 409: RACERS - 1})
        finally:
            db.session.remove()
            db.engine.dispose()


def test_fifty_families_racing_for_one_slot_on_sqlite(tmp_path: Path, make: Factories) -> None:
    app = make_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'race.db'}",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": RACERS, "max_overflow": 5},
    )
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        try:
            assert race_for_one_slot(app, make) == Counter({201: 1, 409: RACERS - 1})
        finally:
            db.session.remove()
            db.engine.dispose()


def _raw_booking(
    service_id: int,
    pro_id: int,
    org_id: int,
    start_minutes: int,
    uid: str,
    status: str = "confirmed",
) -> Booking:
    start = next_weekday_at(9) + timedelta(minutes=start_minutes)
    now = now_utc()
    return Booking(
        uid=uid,
        organisation_id=org_id,
        service_id=service_id,
        professional_id=pro_id,
        start_at=start,
        end_at=start + timedelta(minutes=45),
        block_start_at=start - timedelta(minutes=10),
        block_end_at=start + timedelta(minutes=55),
        status=status,
        created_at=now,
        updated_at=now,
        intake_answers={},
    )


def test_postgres_itself_refuses_overlapping_bookings_buffers_included(
    pg_app: Flask, make: Factories
) -> None:
    service = make.service()
    pro = make.professional(service)
    db.session.add(_raw_booking(service.id, pro.id, service.organisation_id, 0, "a"))
    db.session.commit()
    # Meetings 9:00–9:45 and 9:50–10:35 do not overlap, but their buffers (10 min) do.
    db.session.add(_raw_booking(service.id, pro.id, service.organisation_id, 50, "b"))
    with pytest.raises(IntegrityError, match="bookings_no_overlap"):
        db.session.commit()
    db.session.rollback()
    # A cancelled booking does not occupy the time; nor does one of another worker.
    other = make.professional(service)
    db.session.add(_raw_booking(service.id, pro.id, service.organisation_id, 50, "c", "cancelled"))
    db.session.add(_raw_booking(service.id, other.id, service.organisation_id, 0, "d"))
    db.session.add(_raw_booking(service.id, pro.id, service.organisation_id, 65, "e"))
    db.session.commit()


CONFIRMERS = 8


def race_to_confirm_one_hold(app: Flask, make: Factories) -> Counter[int]:
    """Several submits of one hold's form at once (a double click, a retry): one wins."""
    service = make.service()
    make.professional(service)
    db.session.commit()
    held = app.test_client().post(
        "/api/v1/holds", json={"service_id": service.id, "start_at": iso(next_weekday_at(10))}
    )
    assert held.status_code == 201
    token = held.json["hold_token"]
    db.session.remove()
    barrier = threading.Barrier(CONFIRMERS)
    statuses: list[int] = []
    names_of_winners: list[str] = []
    lock = threading.Lock()

    def submit(n: int) -> None:
        client = app.test_client()
        body = client_body(token)
        body["client"]["name"] = f"Perhe {n}"
        barrier.wait()
        status = client.post("/api/v1/bookings", json=body).status_code
        with lock:
            statuses.append(status)
            if status == 201:
                names_of_winners.append(body["client"]["name"])

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(CONFIRMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    confirmed = db.session.scalars(select(Booking).where(Booking.status == "confirmed")).all()
    assert len(confirmed) == 1
    winners = [s for s in statuses if s == 201]
    assert len(winners) == 1, statuses
    # The winner's details stay: no later submit overwrote them.
    assert [confirmed[0].client_name] == names_of_winners
    sent = db.session.execute(select(OutboxMessage.template, OutboxMessage.channel)).all()
    assert sent, "the winner's confirmation is queued"
    assert len(sent) == len(set(sent)), "one confirmation's messages, not one set per submit"
    return Counter(statuses)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_confirms_of_one_hold_make_one_booking(
    backend: str, tmp_path: Path, make: Factories, request: pytest.FixtureRequest
) -> None:
    if backend == "postgres":
        url = request.getfixturevalue("postgres_database")
    else:
        url = f"sqlite:///{tmp_path / 'confirm.db'}"
    app = make_app(
        tmp_path, url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": CONFIRMERS, "max_overflow": 2}
    )
    with app.app_context():
        if backend == "postgres":
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            db.session.execute(db.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
        else:
            with db.engine.begin() as connection:
                create_all(connection)
        try:
            outcome = race_to_confirm_one_hold(app, make)
            assert outcome[201] == 1
            assert set(outcome) <= {201, 404, 410}, outcome
        finally:
            db.session.remove()
            db.engine.dispose()
