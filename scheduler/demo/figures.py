"""A history of figures for the demo: without one, the figure pages of a fresh demo show
only dashes until the nightly job has run for weeks.

The figures of past days are made up (seeded, so every demo gets the same ones), in the
shape the nightly job writes them: one row per day and service and one per day and unit,
the unit's counts being the sums of its services'. Today's access figures are measured
for real by ``measure_today`` (the ``demo-data`` command calls it; it takes a few
seconds, so the demos the tests build go without).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from scheduler.extensions import db
from scheduler.figures.snapshot import record_access
from scheduler.kernel import local_date, local_instant, now_utc
from scheduler.models import FigureScope, FigureSnapshot, Organisation, Service

HISTORY_DAYS = 56
SUMMED = (
    "free_times",
    "booked_times",
    "bookings",
    "cancelled_by_client",
    "cancelled_by_staff",
    "cancelled_by_system",
    "held",
    "no_shows",
    "unmarked",
    "video",
    "phone",
    "feedback_count",
    "feedback_sum",
)


def _service_day(service: Service, weekday: bool, rng: random.Random) -> dict[str, int | None]:
    """One service's made-up figures of one day: fewer on weekends, when nobody works."""
    meetings = rng.randint(1, 6) if weekday else 0
    held = sum(rng.random() < 0.88 for _ in range(meetings))
    phone = (
        sum(rng.random() < 0.3 for _ in range(meetings)) if "phone" in service.meeting_modes else 0
    )
    feedback = sum(rng.random() < 0.4 for _ in range(held))
    return {
        "t3_days": rng.choice([1, 1, 2, 2, 3, 4, 6, None]),
        "free_times": rng.randint(100, 240),
        "booked_times": rng.randint(8, 45),
        "bookings": rng.randint(0, 7) if weekday else rng.randint(0, 2),
        "cancelled_by_client": int(rng.random() < 0.25),
        "cancelled_by_staff": int(rng.random() < 0.08),
        "cancelled_by_system": 0,
        "held": held,
        "no_shows": meetings - held,
        "unmarked": 0,
        "video": meetings - phone,
        "phone": phone,
        "feedback_count": feedback,
        "feedback_sum": sum(rng.choice([3, 4, 4, 5, 5]) for _ in range(feedback)),
    }


def _row(
    org: Organisation,
    day: date,
    scope: FigureScope,
    unit_id: int,
    service_id: int | None,
    at: datetime,
    values: dict[str, Any],
) -> FigureSnapshot:
    return FigureSnapshot(
        organisation_id=org.id,
        day=day,
        scope=scope.value,
        subject_id=service_id if service_id is not None else unit_id,
        unit_id=unit_id,
        service_id=service_id,
        measured_at=at,
        activity_at=at + timedelta(days=1),
        **values,
    )


def create_figure_history(
    org: Organisation, services: list[Service], today: date, rng: random.Random
) -> None:
    """Made-up figures for each of the ``HISTORY_DAYS`` days before ``today``."""
    for back in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=back)
        at = local_instant(day, time(0, 5), org.zone)
        units: defaultdict[int, dict[str, Any]] = defaultdict(dict)
        for service in services:
            values = _service_day(service, day.weekday() < 5, rng)
            db.session.add(
                _row(org, day, FigureScope.SERVICE, service.unit_id, service.id, at, values)
            )
            unit = units[service.unit_id]
            for name in SUMMED:
                unit[name] = (unit.get(name) or 0) + (values[name] or 0)
            t3s = [t for t in (unit.get("t3_days"), values["t3_days"]) if t is not None]
            unit["t3_days"] = min(t3s) if t3s else None
        for unit_id, values in units.items():
            db.session.add(_row(org, day, FigureScope.UNIT, unit_id, None, at, values))
    db.session.flush()


def measure_today(org: Organisation) -> None:
    """Today's access figures, measured as the nightly job does. Flushes, never commits."""
    now = now_utc()
    record_access(org, local_date(now, org.zone), now)
    db.session.flush()
