"""Slot search of a team service: one worker of each of two pools must be free at once.

PostgreSQL, through the HTTP API served by gunicorn with deploy/gunicorn_conf.py (one
process), a search of 8 weeks. The data shape of benchmarks/slots.py: 20 workers with
weekly hours on five days, 100 bookings and 250 busy times from an external calendar
each; the service's pools are the first 10 workers and the other 10.

* collective (warm): the same search again, nothing changed;
* collective cold: a search after every worker's schedule changed (their weekly rules
  saved again), so every worker's free times are loaded and computed afresh.

The same searches of the same workers as a service that needs one of them are measured
too, as the reference on the same machine at the same time ("one_worker_*").

Beside the wall-clock figures through gunicorn, the same searches are served in this
process and their CPU time is given ("*_cpu_p95_ms"): on a shared, loaded machine the
wall clock mostly measures the queue for a core.

Prints one JSON object: {"collective_p95_ms", "collective_cold_p95_ms", "collective_slots",
"collective_cpu_p95_ms", "collective_cold_cpu_p95_ms", and the same "one_worker_*"}.

    .venv/bin/python benchmarks/team_search.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time as clock
import uuid
from datetime import timedelta
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load import start_gunicorn, stop_gunicorn  # noqa: E402
from scale_search import (  # noqa: E402
    COLD_RUNS,
    PG_URL,
    WARM_RUNS,
    WEEKS,
    Client,
    change_every_schedule,
    p95,
    populate,
)

from scheduler import create_app  # noqa: E402
from scheduler.extensions import db  # noqa: E402
from scheduler.kernel import HELSINKI, local_date, now_utc  # noqa: E402
from scheduler.models import Professional, Service, ServicePool  # noqa: E402
from scheduler.schema import create_all  # noqa: E402

WORKERS, POOL_SIZE = 20, 10


def make_team(service_id: int, ids: list[int]) -> None:
    """Split the service's workers into two pools of ten."""
    service = db.session.get(Service, service_id)
    assert service is not None
    for position in range(WORKERS // POOL_SIZE):
        members = ids[position * POOL_SIZE : (position + 1) * POOL_SIZE]
        pool = ServicePool(position=position, name={"fi": f"Ryhmä {position}"})
        pool.members = [db.session.get(Professional, pid) for pid in members]  # type: ignore[misc]
        service.pools.append(pool)
    db.session.commit()


def measure(tmp: Path, team: bool) -> dict[str, float | int]:
    import psycopg

    name = f"etaaika_team_{uuid.uuid4().hex[:8]}"
    database_url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(PG_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "TESTING": True})
    process = None
    try:
        with app.app_context():
            with db.engine.begin() as connection:
                create_all(connection)
            service_id, ids = populate(WORKERS)
            if team:
                make_team(service_id, ids)
            db.session.remove()
        tmp.mkdir(parents=True, exist_ok=True)
        process, port = start_gunicorn(database_url, 1, 4, tmp)
        first = local_date(now_utc(), HELSINKI)
        url = (
            f"/api/v1/services/{service_id}/slots?from={first.isoformat()}"
            f"&to={(first + timedelta(weeks=WEEKS)).isoformat()}"
        )
        client = Client(port, url)
        client.search_ms()
        client.connection.request("GET", url)
        found = len(json.loads(client.connection.getresponse().read())["slots"])
        warm = [client.search_ms() for _ in range(WARM_RUNS)]
        cold: list[float] = []
        with app.app_context():
            for turn in range(1, COLD_RUNS + 1):
                change_every_schedule(ids, turn)
                cold.append(client.search_ms())
            db.session.remove()
            db.engine.dispose()
        client.connection.close()
        warm_cpu, cold_cpu = cpu_times(app, url, ids)
        return {
            "warm": p95(warm),
            "cold": p95(cold),
            "slots": found,
            "warm_cpu": p95(warm_cpu),
            "cold_cpu": p95(cold_cpu),
        }
    finally:
        if process is not None:
            stop_gunicorn(process)
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cpu_times(app: Flask, url: str, ids: list[int]) -> tuple[list[float], list[float]]:
    """The same searches served in this process: the CPU time of each (thread time),
    which other load on a shared machine does not inflate (PostgreSQL's is not in it)."""
    client = app.test_client()
    assert client.get(url).status_code == 200
    warm, cold = [], []
    for _ in range(WARM_RUNS):
        began = clock.thread_time()
        client.get(url)
        warm.append((clock.thread_time() - began) * 1000)
    with app.app_context():
        for turn in range(COLD_RUNS + 1, 2 * COLD_RUNS + 1):
            change_every_schedule(ids, turn)
            db.session.remove()
            began = clock.thread_time()
            response = client.get(url)
            cold.append((clock.thread_time() - began) * 1000)
            assert response.status_code == 200
        db.engine.dispose()
    return warm, cold


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        team = measure(Path(tmp_name) / "team", team=True)
        try:
            one: dict[str, float | int | None] = dict(measure(Path(tmp_name) / "one", team=False))
        except RuntimeError as exc:  # a loaded machine: the reference is left out, said so
            print(f"reference not measured: {exc}", file=sys.stderr)
            one = dict.fromkeys(("warm", "cold", "warm_cpu", "cold_cpu"))
    print(
        json.dumps(
            {
                "collective_p95_ms": team["warm"],
                "collective_cold_p95_ms": team["cold"],
                "collective_slots": team["slots"],
                "collective_cpu_p95_ms": team["warm_cpu"],
                "collective_cold_cpu_p95_ms": team["cold_cpu"],
                "one_worker_p95_ms": one["warm"],
                "one_worker_cold_p95_ms": one["cold"],
                "one_worker_cpu_p95_ms": one["warm_cpu"],
                "one_worker_cold_cpu_p95_ms": one["cold_cpu"],
            }
        )
    )


if __name__ == "__main__":
    main()
