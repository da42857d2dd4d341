"""Dispatch: 10,000 due reminders delivered to a local SMTP server (aiosmtpd).

The SMTP server runs in a process of its own and counts what arrives per Message-ID,
so that the figures say how many were lost or doubled and the dispatcher's memory is
measured alone. Prints one JSON object:
{"database", "messages", "seconds", "per_second", "peak_rss_mb", "duplicates", "lost"}.
Target: all delivered in under 60 s, under 200 MB, no duplicates, nothing lost.

    .venv/bin/python benchmarks/dispatch.py              # SQLite
    .venv/bin/python benchmarks/dispatch.py --postgres   # PostgreSQL (ETAAIKA_TEST_POSTGRES_URL)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import re
import resource
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notifications.contract import FamilyNotice

PG_ADMIN_URL = os.environ.get(
    "ETAAIKA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>]+>)", re.MULTILINE | re.IGNORECASE)
CONTEXT = FamilyNotice(
    organisation_name="Rovaniemen kaupunki",
    email_from="noreply@rovaniemi.test",
    client_name="Perhe",
    service_name="Perheneuvola",
    sms_service=None,
    professional_name="Liisa Laine",
    meeting_mode="video",
    join_url=None,
    public_url="https://ajanvaraus.rovaniemi.test",
    cancelled_by=None,
    weekday="tiistaina",
    weekday_short="ti",
    date="24.11.2026",
    time="klo 10.00",
    time_range="klo 10.00–10.45",
)


def serve_smtp(port: int, ready: Any, stop: Any, results: Any) -> None:
    """The SMTP server process: counts messages per Message-ID until told to stop."""
    from aiosmtpd.controller import Controller

    counts: Counter[bytes] = Counter()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            found = MESSAGE_ID.search(envelope.original_content or b"")
            counts[found.group(1) if found else b"?"] += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    results.put({key.decode(): n for key, n in counts.items()})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_url() -> tuple[str, str]:
    import psycopg

    name = f"etaaika_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", name


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(database_url: str, database: str, messages: int, batch: int) -> dict[str, Any]:
    port = free_port()
    ctx = mp.get_context("spawn")
    ready, stop, results = ctx.Event(), ctx.Event(), ctx.Queue()
    server = ctx.Process(target=serve_smtp, args=(port, ready, stop, results), daemon=True)
    server.start()
    if not ready.wait(60):
        raise RuntimeError("the SMTP server process did not start")

    import notifications
    from scheduler import create_app
    from scheduler.extensions import db
    from scheduler.schema import create_all

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "benchmark-secret",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "SMTP_SECURITY": "none",
            "NOTIFY_BATCH": batch,
            "NOTIFY_RUN_SECONDS": 3600,
        }
    )
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        for i in range(messages):
            notifications.enqueue(
                channel="email",
                recipient=f"family{i}@example.test",
                template="reminder",
                language=("fi", "sv", "en")[i % 3],
                context=replace(CONTEXT, client_name=f"Perhe {i}"),
                secrets={"manage_url": f"https://ajanvaraus.rovaniemi.test/manage/{i:043d}"},
                idempotency_key=f"bench-{i}",
                group_key=f"booking:bench-{i}",
                organisation_id=1,
                before_min=1440,
            )
        db.session.commit()

        started = time.perf_counter()
        sent = 0
        while True:
            report = notifications.dispatch_due()
            sent += report.sent
            if report.sent == 0 and report.retried == 0:
                break
        seconds = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()

    stop.set()
    counts: dict[str, int] = results.get(timeout=60)
    server.join(30)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "database": database,
        "messages": sent,
        "seconds": round(seconds, 2),
        "per_second": round(sent / seconds, 1) if seconds else None,
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "lost": messages - len(counts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true", help="use PostgreSQL")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    if args.postgres:
        url, name = postgres_url()
        try:
            result = run(url, "postgresql", args.messages, args.batch)
        finally:
            drop_postgres(name)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(f"sqlite:///{Path(tmp) / 'bench.db'}", "sqlite", args.messages, args.batch)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()
