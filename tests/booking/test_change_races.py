"""Changes of one booking at the same moment, on PostgreSQL: each is made on what the
other left, the family is told of the last one, and the access log has one row per change."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from notifications.models import OutboxMessage
from scheduler.extensions import db
from scheduler.models import AccessLogEntry, Booking
from tests.booking_api import book, iso, next_weekday_at
from tests.conftest import RACERS
from tests.factories import Factories


def _booked(app: Flask, make: Factories) -> tuple[str, Booking]:
    service = make.service()
    make.professional(service)
    db.session.commit()
    result = book(app.test_client(), service.id, next_weekday_at(10))
    db.session.remove()
    booking = db.session.scalar(select(Booking))
    assert booking is not None
    return result["manage_token"], booking


def _at_once(app: Flask, calls: list[Callable[[Any], Any]]) -> list[Any]:
    """Run each call with its own test client, all released at the same moment."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        results[n] = calls[n](client)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    db.session.remove()
    return results


def _messages(template: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == template, OutboxMessage.channel == "email")
            .order_by(OutboxMessage.id)
        )
    )


def _log_rows(action: str) -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(AccessLogEntry).where(AccessLogEntry.action == action)
        )
        or 0
    )


def test_the_same_move_sent_at_once_is_made_and_told_once(race_app: Flask, make: Factories) -> None:
    token, booking = _booked(race_app, make)
    new_start = iso(booking.start_at + timedelta(hours=2))
    statuses = _at_once(
        race_app,
        [
            lambda c: (
                c.post(
                    f"/api/v1/manage/{token}/reschedule", json={"start_at": new_start}
                ).status_code
            )
        ]
        * RACERS,
    )
    assert statuses == [200] * RACERS
    moved = db.session.get(Booking, booking.id)
    assert moved.sequence == 1
    (changed,) = _messages("changed")
    assert changed.status == "pending" and changed.idempotency_key.endswith(":s1")
    assert _log_rows("booking.reschedule") == 1


def test_moves_to_different_times_at_once_each_get_a_sequence_and_the_last_is_told(
    race_app: Flask, make: Factories
) -> None:
    token, booking = _booked(race_app, make)
    times = [iso(booking.start_at + timedelta(hours=2 + n, days=n % 2)) for n in range(4)]
    statuses = _at_once(
        race_app,
        [
            (
                lambda c, at=at: (
                    c.post(f"/api/v1/manage/{token}/reschedule", json={"start_at": at}).status_code
                )
            )
            for at in times
        ],
    )
    assert statuses == [200] * len(times)
    moved = db.session.get(Booking, booking.id)
    assert moved.sequence == len(times)
    changes = _messages("changed")
    assert sorted(m.idempotency_key[-2:] for m in changes) == ["s1", "s2", "s3", "s4"]
    pending = [m for m in changes if m.status == "pending"]
    assert [m.idempotency_key[-2:] for m in pending] == [f"s{len(times)}"]
    assert _log_rows("booking.reschedule") == len(times)


def test_cancels_and_moves_at_once_cancel_once(race_app: Flask, make: Factories) -> None:
    token, booking = _booked(race_app, make)
    new_start = iso(booking.start_at + timedelta(hours=2))

    def cancel(c: Any) -> int:
        return int(c.post(f"/api/v1/manage/{token}/cancel", json={}).status_code)

    def move(c: Any) -> int:
        return int(
            c.post(f"/api/v1/manage/{token}/reschedule", json={"start_at": new_start}).status_code
        )

    statuses = _at_once(race_app, [cancel, move] * (RACERS // 2))
    assert statuses[0::2].count(200) == 1  # one cancel went through, the others found it done
    assert set(statuses[0::2]) == {200, 409}
    assert set(statuses[1::2]) <= {200, 409}
    stored = db.session.get(Booking, booking.id)
    assert stored.status == "cancelled"
    assert _log_rows("booking.cancel") == 1
    assert _log_rows("booking.reschedule") <= 1
    assert stored.sequence == 1 + _log_rows("booking.reschedule")
    (cancelled,) = _messages("cancelled")
    assert cancelled.status == "pending"
