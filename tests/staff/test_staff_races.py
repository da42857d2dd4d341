"""Races on PostgreSQL: a staff move against a family's own move or cancel, and a sick-day
reassign against families booking the same colleague. No overlap, no lost notice, and a
clear 409 for the loser."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from notifications import OutboxMessage
from scheduler import booking as ops
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date
from scheduler.models import Booking, BookingStatus, Service
from scheduler.staff.blueprint import SESSION_KEY
from tests.booking_api import client_body, iso
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local

pytestmark = pytest.mark.postgres
ROUNDS = 5


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions at once, each on its own thread; their results in order."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = actions[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def family_booking(service_id: int, start: datetime, pro_id: int) -> tuple[int, str]:
    service = db.session.get(Service, service_id)
    assert service is not None
    _held, hold_token = ops.hold(service, start, professional_id=pro_id)
    booking, manage = ops.confirm(
        hold_token,
        ops.ClientDetails("Maija", "maija@example.org", "+358401234567", "fi", {}),
    )
    db.session.commit()
    return booking.id, manage


def staff_client(app: Flask, user_id: int) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session[SESSION_KEY] = user_id
    return client


def staff_move(client: FlaskClient, booking_id: int, target: datetime, pro_id: int) -> Any:
    """The staff page's confirmed move, as a callable for ``race``: its status code."""
    day = local_date(target, HELSINKI).isoformat()
    data = {"date": day, "choice": f"{target.isoformat()}|{pro_id}", "confirmed": "1"}
    return lambda: client.post(f"/staff/bookings/{booking_id}/move", data=data).status_code


def family_call(client: FlaskClient, path: str, body: dict[str, Any]) -> Any:
    return lambda: client.post(path, json=body).status_code


def templates_of(booking_id: int) -> list[str]:
    booking = db.session.get(Booking, booking_id)
    assert booking is not None
    return list(
        db.session.scalars(
            select(OutboxMessage.template).where(
                OutboxMessage.group_key == f"booking:{booking.uid}"
            )
        )
    )


def no_overlaps() -> bool:
    active = list(
        db.session.scalars(select(Booking).where(Booking.status == BookingStatus.CONFIRMED))
    )
    return not any(
        a.id < b.id
        and a.professional_id == b.professional_id
        and a.block_start_at < b.block_end_at
        and b.block_start_at < a.block_end_at
        for a in active
        for b in active
    )


def test_a_staff_move_racing_a_familys_move_onto_the_same_time(
    pg_app: Flask, make: Factories
) -> None:
    staff = Staff(make)
    service = make.service()
    pro = make.professional(service)
    user = staff.user("worker", professional=pro)
    db.session.commit()
    pro_id, user_id, service_id = pro.id, user.id, service.id
    for round_ in range(ROUNDS):
        ours, _token = family_booking(service_id, at_local(3 + round_, 9), pro_id)
        theirs, token = family_booking(service_id, at_local(3 + round_, 11), pro_id)
        target = at_local(3 + round_, 14)
        staff_result, family_result = race(
            staff_move(staff_client(pg_app, user_id), ours, target, pro_id),
            family_call(
                pg_app.test_client(),
                f"/api/v1/manage/{token}/reschedule",
                {"start_at": iso(target)},
            ),
        )
        db.session.remove()
        assert staff_result in (302, 409) and family_result in (200, 409)
        assert [staff_result, family_result].count(409) == 1, (staff_result, family_result)
        assert no_overlaps()
        winner, loser = (ours, theirs) if staff_result == 302 else (theirs, ours)
        assert "changed" in templates_of(winner)
        assert "changed" not in templates_of(loser)


def test_a_staff_move_racing_the_familys_cancel_loses_no_notice(
    pg_app: Flask, make: Factories
) -> None:
    staff = Staff(make)
    service = make.service()
    pro = make.professional(service)
    user = staff.user("worker", professional=pro)
    db.session.commit()
    pro_id, user_id, service_id = pro.id, user.id, service.id
    for round_ in range(ROUNDS):
        booking_id, token = family_booking(service_id, at_local(3 + round_, 9), pro_id)
        target = at_local(3 + round_, 13)
        moved, cancelled = race(
            staff_move(staff_client(pg_app, user_id), booking_id, target, pro_id),
            family_call(pg_app.test_client(), f"/api/v1/manage/{token}/cancel", {}),
        )
        db.session.remove()
        assert cancelled == 200  # the family may always cancel its own time
        assert moved in (302, 409), moved
        booking = db.session.get(Booking, booking_id)
        assert booking is not None and booking.status == BookingStatus.CANCELLED
        templates = templates_of(booking_id)
        assert "cancelled" in templates
        assert ("changed" in templates) == (moved == 302)


def test_a_sick_day_reassign_racing_families_onto_the_same_colleague(
    pg_app: Flask, make: Factories
) -> None:
    staff = Staff(make)
    service = make.service()
    sick = make.professional(service)
    colleague = make.professional(service)
    admin = staff.user("unit_admin", unit=service.unit)
    db.session.commit()
    starts = [at_local(4, hour) for hour in (9, 10, 11, 12)]
    service_id, colleague_id, sick_id = service.id, colleague.id, sick.id
    ours = [family_booking(service_id, start, sick_id)[0] for start in starts]
    day = local_date(starts[0], HELSINKI).isoformat()
    admin_side = staff_client(pg_app, admin.id)
    reassign_form = {"professional": str(sick_id), "first": day, "last": day, "confirmed": "1"}

    def family(start: datetime) -> Callable[[], int]:
        def book() -> int:
            client = pg_app.test_client()
            held = client.post(
                "/api/v1/holds",
                json={
                    "service_id": service_id,
                    "start_at": iso(start),
                    "professional_id": colleague_id,
                },
            )
            if held.status_code != 201:
                return int(held.status_code)
            done = client.post("/api/v1/bookings", json=client_body(held.json["hold_token"]))
            return int(done.status_code)

        return book

    results = race(
        lambda: admin_side.post("/staff/reassign", data=reassign_form).status_code,
        *[family(start) for start in starts],
    )
    db.session.remove()
    assert results[0] == 200
    assert set(results[1:]) <= {201, 409}, results
    assert no_overlaps()
    for booking_id in ours:
        booking = db.session.get(Booking, booking_id)
        assert booking is not None and booking.status == BookingStatus.CONFIRMED
        moved = booking.professional_id == colleague_id
        assert ("changed" in templates_of(booking_id)) == moved


def staff_adds_colleague(client: FlaskClient, booking_id: int, colleague_id: int) -> Any:
    """The staff page's "add a colleague", as a callable for ``race``: its status code."""
    data = {"professional_id": str(colleague_id)}
    path = f"/staff/bookings/{booking_id}/people/colleague"
    return lambda: client.post(path, data=data).status_code


def family_books(app: Flask, service_id: int, start: datetime, pro_id: int) -> Callable[[], int]:
    """A family looking at the day, then holding and confirming ``start`` with ``pro_id``
    through the API, as a
    callable for ``race``: the status code of the step that decided."""

    def book() -> int:
        client = app.test_client()
        day = local_date(start, HELSINKI).isoformat()
        client.get(f"/api/v1/services/{service_id}/slots?from={day}&to={day}")  # as a family does
        held = client.post(
            "/api/v1/holds",
            json={"service_id": service_id, "start_at": iso(start), "professional_id": pro_id},
        )
        if held.status_code != 201:
            return int(held.status_code)
        done = client.post("/api/v1/bookings", json=client_body(held.json["hold_token"]))
        return int(done.status_code)

    return book


def test_adding_a_colleague_racing_a_family_for_the_colleagues_time(
    pg_app: Flask, make: Factories
) -> None:
    staff = Staff(make)
    service = make.service()
    pro = make.professional(service)
    colleague = make.professional(service)
    user = staff.user("worker", professional=pro)
    db.session.commit()
    pro_id, colleague_id, service_id = pro.id, colleague.id, service.id
    worker = staff_client(pg_app, user.id)
    for round_ in range(2 * ROUNDS):
        start = at_local(3 + round_ // 2, 9 + round_ % 2 * 3)
        booking_id, _token = family_booking(service_id, start, pro_id)
        worker.get(f"/staff/bookings/{booking_id}/people")  # both sides warm
        added, family = race(
            staff_adds_colleague(worker, booking_id, colleague_id),
            family_books(pg_app, service_id, start, colleague_id),
        )
        db.session.remove()
        assert added in (303, 409) and family in (201, 409), (added, family)
        assert [added, family].count(409) == 1, (added, family)
        assert no_overlaps()
        rows = db.session.scalars(
            select(Booking).where(
                Booking.professional_id == colleague_id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.start_at == start,
            )
        ).all()
        assert len(rows) == 1
        assert (rows[0].lead_booking_id == booking_id) == (added == 303)
