"""Fixtures of the staff-page tests: staff accounts, signing in, and the OpenID provider."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import Booking, BookingStatus, Professional, Service, StaffUser, Unit
from scheduler.staff.blueprint import SESSION_KEY
from tests.factories import Factories
from tests.oidc_fixture import oidc_provider  # noqa: F401  (the fixture)


class Staff:
    """Staff accounts and bookings for the tests, bound to the app's session."""

    def __init__(self, make: Factories) -> None:
        self.make = make
        self._n = 0

    def user(
        self,
        role: str = "worker",
        unit: Unit | None = None,
        professional: Professional | None = None,
        **kw: Any,
    ) -> StaffUser:
        self._n += 1
        if unit is None and professional is not None:
            unit = db.session.get(Unit, professional.unit_id)
        if unit is None:
            unit = self.make.unit()
        user = StaffUser(
            organisation_id=unit.organisation_id,
            unit_id=unit.id if role != "org_admin" or kw.pop("with_unit", False) else None,
            role=role,
            professional_id=professional.id if professional else None,
            email=kw.pop("email", f"staff{self._n}-{unit.organisation_id}@example.org"),
            name=kw.pop("name", f"Staff {self._n}"),
            active=kw.pop("active", True),
            created_at=now_utc(),
            **kw,
        )
        db.session.add(user)
        db.session.flush()
        return user

    def booking(
        self,
        service: Service,
        pro: Professional,
        start: datetime,
        status: str = BookingStatus.CONFIRMED,
        **kw: Any,
    ) -> Booking:
        self._n += 1
        end = start + timedelta(minutes=service.duration_min)
        booking = Booking(
            uid=f"test-{self._n}@etaaika",
            organisation_id=service.organisation_id,
            service_id=service.id,
            professional_id=pro.id,
            start_at=start,
            end_at=end,
            block_start_at=start,
            block_end_at=end,
            status=status,
            meeting_mode="video",
            client_name=kw.pop("client_name", "Maija Meikäläinen"),
            client_email=kw.pop("client_email", "maija@example.org"),
            client_phone=kw.pop("client_phone", "+358401234567"),
            language=kw.pop("language", "fi"),
            intake_answers=kw.pop("intake_answers", {}),
            created_at=now_utc(),
            updated_at=now_utc(),
            confirmed_at=now_utc(),
            **kw,
        )
        db.session.add(booking)
        db.session.flush()
        return booking


@pytest.fixture
def staff(app: Flask, make: Factories) -> Staff:
    return Staff(make)


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[StaffUser], FlaskClient]:
    """Sign ``user`` in on the test client (the session as the sign-in view leaves it)."""

    def sign(user: StaffUser) -> FlaskClient:
        db.session.commit()
        with client.session_transaction() as session:
            session.clear()
            session[SESSION_KEY] = user.id
        return client

    return sign


def at_local(days_ahead: int, hour: int, minute: int = 0) -> datetime:
    """An instant ``days_ahead`` local days from today at a Helsinki wall-clock time."""
    from scheduler.kernel import HELSINKI, local_date, local_instant

    day = local_date(now_utc(), HELSINKI) + timedelta(days=days_ahead)
    return local_instant(day, time(hour, minute), HELSINKI)
