"""Fixtures of the figures tests: staff accounts, signing in, and bookings of any status
on any day (seeded history)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_instant
from scheduler.models import Booking, Professional, Service

# The staff fixtures are the staff tests' own.
from tests.staff.conftest import Staff, sign_in, staff  # noqa: F401


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """The UTC instant of a Helsinki wall-clock time."""
    return local_instant(day, time(hour, minute), HELSINKI)


class History:
    """Bookings with the status, times and mode a test asks for."""

    def __init__(self) -> None:
        self._n = 0

    def booking(
        self,
        service: Service,
        pro: Professional,
        start: datetime,
        status: str = "confirmed",
        **kw: Any,
    ) -> Booking:
        self._n += 1
        end = start + timedelta(minutes=service.duration_min)
        created = kw.pop("created_at", start - timedelta(days=7))
        booking = Booking(
            uid=f"history-{self._n}@etaaika",
            organisation_id=service.organisation_id,
            service_id=service.id,
            professional_id=pro.id,
            start_at=start,
            end_at=end,
            block_start_at=start,
            block_end_at=end,
            status=status,
            meeting_mode=kw.pop("meeting_mode", "video"),
            client_email=kw.pop("client_email", "perhe@example.org"),
            client_phone=kw.pop("client_phone", None),
            language=kw.pop("language", "fi"),
            intake_answers={},
            created_at=created,
            updated_at=created,
            confirmed_at=kw.pop("confirmed_at", created),
            **kw,
        )
        db.session.add(booking)
        db.session.flush()
        return booking


@pytest.fixture
def history() -> History:
    return History()
