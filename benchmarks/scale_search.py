"""Slot search at the scale of a county: 20 and 400 workers behind one service.

PostgreSQL, through the HTTP API served by gunicorn with deploy/gunicorn_conf.py (one
process), a search of 8 weeks. Each worker is loaded like the 20 of benchmarks/slots.py:
weekly hours on five days, 100 bookings and 250 busy times from an external calendar.

* warm: the same search again, nothing changed;
* cold: a search after every worker's schedule changed (their weekly rules saved again);
* one changed: a search after one worker's booking changed (cancelled or restored);
* growth ratio: the 20th cold search's time over the first's (a cache that fills must
  not make later cold searches slower).

Prints one JSON object: {"warm_p95_ms_20", "cold_p95_ms_20", "warm_p95_ms_400",
"cold_p95_ms_400", "one_changed_p95_ms_400", "cold_growth_ratio_400"}.

    .venv/bin/python benchmarks/scale_search.py
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import time as clock
import uuid
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load import start_gunicorn, stop_gunicorn  # noqa: E402

from scheduler import create_app  # noqa: E402
from scheduler.availability.versions import touching  # noqa: E402
from scheduler.extensions import db  # noqa: E402
from scheduler.kernel import HELSINKI, local_date, local_instant, now_utc  # noqa: E402
from scheduler.models import (  # noqa: E402
    Booking,
    BookingStatus,
    ExternalBusy,
    Organisation,
    Professional,
    Service,
    Unit,
    WeeklyRule,
)
from scheduler.schema import create_all  # noqa: E402

WEEKS = 8
BOOKINGS_PER_WORKER, BUSY_PER_WORKER = 100, 250  # as benchmarks/slots.py: 2,000 and 5,000 for 20
WARM_RUNS, COLD_RUNS, ONE_CHANGED_RUNS = 40, 20, 20
PG_URL = os.environ.get("ETAAIKA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def populate(workers: int, seed: int = 1) -> tuple[int, list[int]]:
    """One service with ``workers`` loaded workers; returns its id and the workers' ids."""
    rng = random.Random(seed)
    org = Organisation(slug="bench", name={"fi": "Bench"}, timezone="Europe/Helsinki")
    unit = Unit(organisation=org, name={"fi": "Yksikkö"})
    service = Service(
        organisation=org,
        unit=unit,
        slug="s",
        name={"fi": "Palvelu"},
        duration_min=45,
        slot_interval_min=15,
        buffer_after_min=15,
        min_notice_min=120,
        horizon_days=WEEKS * 7,
        max_per_worker_per_day=6,
    )
    db.session.add_all([org, unit, service])
    db.session.flush()
    pros = []
    for index in range(workers):
        pro = Professional(
            organisation_id=org.id, unit_id=unit.id, name=f"Worker {index}", languages=["fi"]
        )
        pro.services.append(service)
        pros.append(pro)
    db.session.add_all(pros)
    db.session.flush()
    today = local_date(now_utc(), HELSINKI)
    days = [today + timedelta(days=i) for i in range(1, WEEKS * 7)]
    working_days = [d for d in days if d.weekday() < 5]
    now = now_utc()
    rules: list[dict[str, Any]] = []
    bookings: list[dict[str, Any]] = []
    busy: list[dict[str, Any]] = []
    for pro in pros:
        start_hour = rng.choice([8, 8, 9])
        rules += [
            {
                "professional_id": pro.id,
                "weekday": weekday,
                "start_time": time(start_hour),
                "end_time": time(start_hour + 8),
                "service_ids": [],
            }
            for weekday in range(5)
        ]
        taken: set[tuple[date, int]] = set()
        while len(taken) < BOOKINGS_PER_WORKER:
            day = rng.choice(working_days)
            quarter = rng.randrange(start_hour * 4, (start_hour + 8) * 4 - 3)
            if any((day, quarter + q) in taken for q in range(-3, 4)):
                continue
            taken.add((day, quarter))
            start = local_instant(day, time(quarter // 4, quarter % 4 * 15), HELSINKI)
            bookings.append(
                {
                    "uid": f"bench-{uuid.uuid4().hex}",
                    "organisation_id": org.id,
                    "service_id": service.id,
                    "professional_id": pro.id,
                    "start_at": start,
                    "end_at": start + timedelta(minutes=45),
                    "block_start_at": start,
                    "block_end_at": start + timedelta(minutes=60),
                    "status": BookingStatus.CONFIRMED,
                    "created_at": now,
                    "updated_at": now,
                    "intake_answers": {},
                }
            )
        for _ in range(BUSY_PER_WORKER):
            start = local_instant(
                rng.choice(days), time(rng.randrange(7, 18), rng.randrange(0, 60, 5)), HELSINKI
            )
            busy.append(
                {
                    "professional_id": pro.id,
                    "start_at": start,
                    "end_at": start + timedelta(minutes=rng.randrange(30, 121, 5)),
                }
            )
    # A fresh database: no cache has seen these rows, so no version needs to move.
    connection = db.session.connection()
    for table, rows in (
        (WeeklyRule.__table__, rules),
        (Booking.__table__, bookings),
        (ExternalBusy.__table__, busy),
    ):
        for first in range(0, len(rows), 5000):
            connection.execute(table.insert(), rows[first : first + 5000])
    db.session.commit()
    return service.id, [pro.id for pro in pros]


def change_every_schedule(ids: list[int], turn: int) -> None:
    """Save every worker's weekly rules again (a change the cache must notice)."""
    valid_from = date(2000, 1, 1) + timedelta(days=turn)
    db.session.execute(
        touching(
            WeeklyRule.__table__.update()
            .where(WeeklyRule.professional_id.in_(ids))
            .values(valid_from=valid_from),
            ids,
        )
    )
    db.session.commit()


def change_one_booking(professional_id: int) -> None:
    """Cancel one of the worker's bookings, or restore it when cancelled."""
    booking = db.session.scalars(
        Booking.__table__.select()
        .with_only_columns(Booking.__table__.c.id)
        .where(Booking.professional_id == professional_id)
        .order_by(Booking.id)
        .limit(1)
    ).one()
    found = db.session.get(Booking, booking)
    assert found is not None
    found.status = (
        BookingStatus.CANCELLED
        if found.status == BookingStatus.CONFIRMED
        else BookingStatus.CONFIRMED
    )
    db.session.commit()


class Client:
    """One keep-alive HTTP connection to the server."""

    def __init__(self, port: int, url: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.url = url

    def search_ms(self) -> float:
        began = clock.perf_counter()
        self.connection.request("GET", self.url)
        response = self.connection.getresponse()
        body = response.read()
        took = (clock.perf_counter() - began) * 1000
        if response.status != 200 or b'"start_at"' not in body:
            raise RuntimeError(f"search failed: {response.status} {body[:300]!r}")
        return took


def p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[18], 2)


def measure(workers: int, tmp: Path) -> dict[str, float]:
    import psycopg

    name = f"etaaika_scale_{uuid.uuid4().hex[:8]}"
    database_url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(PG_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "TESTING": True})
    process = None
    try:
        with app.app_context():
            with db.engine.begin() as connection:
                create_all(connection)
            service_id, ids = populate(workers)
            db.session.remove()
        process, port = start_gunicorn(database_url, 1, 4, tmp / str(workers))
        first = local_date(now_utc(), HELSINKI)
        url = (
            f"/api/v1/services/{service_id}/slots?from={first.isoformat()}"
            f"&to={(first + timedelta(weeks=WEEKS)).isoformat()}"
        )
        client = Client(port, url)
        client.search_ms()
        warm = [client.search_ms() for _ in range(WARM_RUNS)]
        cold: list[float] = []
        one_changed: list[float] = []
        with app.app_context():
            for turn in range(1, COLD_RUNS + 1):
                change_every_schedule(ids, turn)
                cold.append(client.search_ms())
            client.search_ms()
            for turn in range(ONE_CHANGED_RUNS):
                change_one_booking(ids[turn * len(ids) // ONE_CHANGED_RUNS])
                one_changed.append(client.search_ms())
            db.session.remove()
            db.engine.dispose()
        client.connection.close()
        return {
            "warm": p95(warm),
            "cold": p95(cold),
            "one_changed": p95(one_changed),
            "growth": round(cold[-1] / cold[0], 2),
        }
    finally:
        if process is not None:
            stop_gunicorn(process)
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "20").mkdir()
        (tmp / "400").mkdir()
        small = measure(20, tmp)
        county = measure(400, tmp)
    print(
        json.dumps(
            {
                "warm_p95_ms_20": small["warm"],
                "cold_p95_ms_20": small["cold"],
                "warm_p95_ms_400": county["warm"],
                "cold_p95_ms_400": county["cold"],
                "one_changed_p95_ms_400": county["one_changed"],
                "cold_growth_ratio_400": county["growth"],
            }
        )
    )


if __name__ == "__main__":
    main()
