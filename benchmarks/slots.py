"""Slot search: the pure computation and the whole API request, on SQLite and PostgreSQL.

One service, 8 weeks, 20 workers, 2,000 existing bookings and 5,000 external busy events.
Prints one JSON object: {"compute_p50_ms", "compute_p95_ms", "api_p95_ms_sqlite",
"api_p95_ms_postgres"} (the PostgreSQL figure is null when no server is reachable), plus
"api_cpu_p95_ms_*": the same requests' CPU time in this process, which other load on a
shared machine does not inflate (PostgreSQL's own CPU is not in it).

    .venv/bin/python benchmarks/slots.py
"""

from __future__ import annotations

import gc
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slots_compute import measure

from scheduler import create_app
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date, local_instant, now_utc
from scheduler.models import (
    Booking,
    ExternalBusy,
    Organisation,
    Professional,
    Service,
    Unit,
    WeeklyRule,
)
from scheduler.schema import create_all

WORKERS, WEEKS, BOOKINGS, EXTERNAL = 20, 8, 2000, 5000
API_RUNS = 40
PG_URL = os.environ.get("ETAAIKA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def populate(seed: int = 1) -> int:
    """Fill an empty database with the data set; returns the service id."""
    rng = random.Random(seed)
    org = Organisation(slug="bench", name={"fi": "Bench"}, timezone="Europe/Helsinki")
    db.session.add(org)
    db.session.flush()
    unit = Unit(organisation_id=org.id, name={"fi": "Yksikkö"})
    db.session.add(unit)
    db.session.flush()
    service = Service(
        organisation_id=org.id,
        unit_id=unit.id,
        slug="s",
        name={"fi": "Palvelu"},
        duration_min=45,
        slot_interval_min=15,
        buffer_after_min=15,
        min_notice_min=120,
        horizon_days=WEEKS * 7,
        max_per_worker_per_day=6,
    )
    db.session.add(service)
    db.session.flush()
    today = local_date(now_utc(), HELSINKI)
    days = [today + timedelta(days=i) for i in range(1, WEEKS * 7)]
    working_days = [d for d in days if d.weekday() < 5]
    now = now_utc()
    n = 0
    for index in range(WORKERS):
        pro = Professional(
            organisation_id=org.id, unit_id=unit.id, name=f"Worker {index}", languages=["fi"]
        )
        pro.services.append(service)
        db.session.add(pro)
        db.session.flush()
        start_hour = rng.choice([8, 8, 9])
        for weekday in range(5):
            db.session.add(
                WeeklyRule(
                    professional_id=pro.id,
                    weekday=weekday,
                    start_time=time(start_hour),
                    end_time=time(start_hour + 8),
                    service_ids=[],
                )
            )
        taken: set[tuple[date, int]] = set()
        placed = 0
        while placed < BOOKINGS // WORKERS:
            day = rng.choice(working_days)
            quarter = rng.randrange(start_hour * 4, (start_hour + 8) * 4 - 3)
            if any((day, quarter + q) in taken for q in range(-3, 4)):
                continue
            taken.add((day, quarter))
            start = local_instant(day, time(quarter // 4, quarter % 4 * 15), HELSINKI)
            n += 1
            db.session.add(
                Booking(
                    uid=f"bench-{n}",
                    organisation_id=org.id,
                    service_id=service.id,
                    professional_id=pro.id,
                    start_at=start,
                    end_at=start + timedelta(minutes=45),
                    block_start_at=start,
                    block_end_at=start + timedelta(minutes=60),
                    status="confirmed",
                    created_at=now,
                    updated_at=now,
                    intake_answers={},
                )
            )
            placed += 1
        for _ in range(EXTERNAL // WORKERS):
            day = rng.choice(days)
            start = local_instant(
                day, time(rng.randrange(7, 18), rng.randrange(0, 60, 5)), HELSINKI
            )
            db.session.add(
                ExternalBusy(
                    professional_id=pro.id,
                    start_at=start,
                    end_at=start + timedelta(minutes=rng.randrange(30, 121, 5)),
                )
            )
    db.session.commit()
    return service.id


def api_p95(database_url: str, tmp: Path) -> tuple[float, float]:
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench",
        }
    )
    app.instance_path = str(tmp)
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        service_id = populate()
        db.session.remove()
    gc.freeze()  # as wsgi.py does for a served app
    client = app.test_client()
    first = local_date(now_utc(), HELSINKI)
    url = (
        f"/api/v1/services/{service_id}/slots?from={first.isoformat()}"
        f"&to={(first + timedelta(weeks=WEEKS)).isoformat()}"
    )
    assert client.get(url).status_code == 200
    timings, cpu = [], []
    for _ in range(API_RUNS):
        began, began_cpu = clock.perf_counter(), clock.thread_time()
        response = client.get(url)
        timings.append((clock.perf_counter() - began) * 1000)
        cpu.append((clock.thread_time() - began_cpu) * 1000)
        assert response.status_code == 200 and response.json["slots"]
    with app.app_context():
        db.engine.dispose()
    return p95(timings), p95(cpu)


def p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[18], 2)


def postgres_p95(tmp: Path) -> tuple[float, float] | tuple[None, None]:
    try:
        import psycopg

        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=2)
    except Exception:
        print("PostgreSQL not reachable: api_p95_ms_postgres is null", file=sys.stderr)
        return None, None
    name = f"etaaika_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return api_p95(PG_URL.rsplit("/", 1)[0] + f"/{name}", tmp)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> None:
    compute = measure()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sqlite, sqlite_cpu = api_p95(f"sqlite:///{tmp / 'bench.db'}", tmp)
        postgres, postgres_cpu = postgres_p95(tmp)
    print(
        json.dumps(
            {
                **compute,
                "api_p95_ms_sqlite": sqlite,
                "api_p95_ms_postgres": postgres,
                "api_cpu_p95_ms_sqlite": sqlite_cpu,
                "api_cpu_p95_ms_postgres": postgres_cpu,
            }
        )
    )


if __name__ == "__main__":
    main()
