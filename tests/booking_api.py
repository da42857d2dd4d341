"""Small helpers for booking tests through the JSON API."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

HKI = ZoneInfo("Europe/Helsinki")


def next_weekday_at(hour: int, minute: int = 0, days_ahead: int = 2) -> datetime:
    """A UTC instant at a local Helsinki wall time a few days from now, on a weekday."""
    day = datetime.now(HKI).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=HKI).astimezone(ZoneInfo("UTC"))


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def client_body(hold_token: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hold_token": hold_token,
        "client": {"name": "Maria Korhonen", "email": "maria@example.org", "phone": "040 123 4567"},
        "language": "fi",
        "consent": True,
    }
    body.update(extra)
    return body


def book(
    client: FlaskClient, service_id: int, start: datetime, **hold_extra: Any
) -> dict[str, Any]:
    """Hold and confirm through the API; returns the confirmation body."""
    held = client.post(
        "/api/v1/holds", json={"service_id": service_id, "start_at": iso(start), **hold_extra}
    )
    assert held.status_code == 201, held.json
    done = client.post("/api/v1/bookings", json=client_body(held.json["hold_token"]))
    assert done.status_code == 201, done.json
    return done.json  # type: ignore[no-any-return]
