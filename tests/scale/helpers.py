"""Requests of the scale tests, made the way a family's client makes them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import requests

from scheduler.kernel import HELSINKI, local_instant

CLIENT = {"name": "Maija Meikäläinen", "email": "maija@example.org"}


def hourly_starts(count: int, days_ahead: int = 2, first_hour: int = 9) -> list[datetime]:
    """``count`` starts one hour apart, Helsinki time, from ``first_hour`` on a later day."""
    starts = []
    day = (datetime.now(HELSINKI) + timedelta(days=days_ahead)).date()
    while len(starts) < count:
        for hour in range(first_hour, 15):
            starts.append(local_instant(day, time(hour), HELSINKI))
        day += timedelta(days=1)
    return starts[:count]


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Outcome:
    status: int
    body: dict[str, Any]


def _post(url: str, body: dict[str, Any]) -> Outcome:
    response = requests.post(url, json=body, timeout=30)
    try:
        payload = response.json()
    except ValueError:
        payload = {"text": response.text[:200]}
    return Outcome(response.status_code, payload)


def hold(base: str, service_id: int, start: datetime) -> Outcome:
    return _post(f"{base}/api/v1/holds", {"service_id": service_id, "start_at": iso(start)})


def confirm(base: str, hold_token: str) -> Outcome:
    return _post(
        f"{base}/api/v1/bookings",
        {"hold_token": hold_token, "client": CLIENT, "language": "fi", "consent": True},
    )


def metric(base: str, name: str) -> float:
    """One sample of the instance's /metrics (scraped from loopback, as Prometheus would)."""
    text = requests.get(f"{base}/metrics", timeout=10).text
    match = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert match, f"{name} not in the metrics:\n{text}"
    return float(match.group(1))
