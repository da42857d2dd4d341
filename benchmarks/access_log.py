"""Appending to one organisation's access-log chain from many requests at once; prints JSON.

On PostgreSQL the application appends a request's rows in one round trip: the database
takes the chain's lock, finds its end and hashes the new row itself (``scheduler/audit.py``,
``_append_postgresql``). The other way, the one SQLite uses, takes the lock, reads the end
and inserts the row hashed in Python: three round trips while the lock is held. This
script runs ``--threads`` writers that each commit ``--transactions`` transactions of one
access-log row to the same chain,
first the one way and then the other, and prints
{"threads", "transactions", "sql_append": {"per_second", "p95_ms"},
"python_append": {...}}. Run (PostgreSQL at 127.0.0.1:5432, trust):

    .venv/bin/python benchmarks/access_log.py [--threads 8] [--transactions 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import Connection, text  # noqa: E402

from scheduler import audit, create_app  # noqa: E402
from scheduler.extensions import db  # noqa: E402
from scheduler.models import Organisation  # noqa: E402
from scheduler.schema import create_all  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "ETAAIKA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def append_in_python(connection: Connection, by_org: dict[int, list[dict[str, Any]]]) -> None:
    """The SQLite way on PostgreSQL: lock, read the end, insert rows hashed in Python."""
    for organisation_id in sorted(by_org):
        connection.execute(
            text("SELECT pg_advisory_xact_lock(774411, :org)"), {"org": organisation_id}
        )
        last = connection.execute(audit._LAST, {"org": organisation_id}).first()
        connection.execute(audit._INSERT, audit._chain(by_org[organisation_id], last))


def run(app: Flask, org_id: int, threads: int, transactions: int) -> dict[str, float]:
    timings: list[float] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        mine: list[float] = []
        try:
            with app.app_context():
                for i in range(transactions):
                    began = time.perf_counter()
                    audit.record(org_id, "booking.read", f"booking:{n}-{i}")
                    db.session.commit()
                    mine.append((time.perf_counter() - began) * 1000)
                db.session.remove()
        except BaseException as error:  # reported below
            failures.append(error)
        with lock:
            timings.extend(mine)

    started = time.perf_counter()
    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise failures[0]
    return {
        "per_second": round(len(timings) / elapsed, 1),
        "p95_ms": round(statistics.quantiles(timings, n=20)[18], 2),
    }


def measure(threads: int, transactions: int) -> dict[str, object]:
    name = f"etaaika_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        app = create_app(
            {
                "SECRET_KEY": "benchmark",
                "DATABASE_URL": url,
                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": threads, "max_overflow": 2},
            }
        )
        with app.app_context():
            with db.engine.begin() as connection:
                create_all(connection)
            org = Organisation(slug="bench", name={"fi": "Kunta"})
            db.session.add(org)
            db.session.commit()
            org_id = org.id
        results: dict[str, object] = {"threads": threads, "transactions": transactions}
        ways: dict[str, Callable[..., None]] = {
            "sql_append": audit._append_postgresql,
            "python_append": append_in_python,
        }
        original = audit._append_postgresql
        for label, way in ways.items():
            audit._append_postgresql = way  # type: ignore[assignment]
            try:
                run(app, org_id, threads, transactions // 10)  # settle
                results[label] = run(app, org_id, threads, transactions)
            finally:
                audit._append_postgresql = original  # type: ignore[assignment]
        with app.app_context():
            assert list(audit.verify_chain(org_id)) == []
            db.engine.dispose()
        return results
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--transactions", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(measure(args.threads, args.transactions)))


if __name__ == "__main__":
    main()
