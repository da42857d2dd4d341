"""Mixed load on loopback against 1, then 2, gunicorn processes on PostgreSQL.

Traffic, as shares of the requests sent: 80 % slot searches (one service, one week), 15 %
booking requests (a hold, and at the connection's next booking turn its confirmation) and
5 % manage requests (read a booking through its manage link, or one in five cancel it).
``--mix visits`` counts a booking (hold and confirmation back to back) and a manage visit
(read, and in one case of four cancel) as one pick each instead: more writes per search
(see benchmarks/loadgen.py). The load generator is a lean asyncio HTTP/1.1 client with
keep-alive connections in this process (closed loop: each connection sends its next
request when the answer came), so its CPU time can be measured: on a two-core machine it
competes with the servers it measures.

Prints one JSON object: {"rps_1", "p95_ms_1", "rps_2", "p95_ms_2", "errors",
"double_bookings", ...} where rps/p95 are over all requests of the phase, plus the slot
searches on their own (``search_rps_N``, ``search_p95_ms_N``), the generator's and the
servers' CPU seconds, the share of workers' free times the servers took from their caches
(``slot_cache_hit_ratio_N``), and the settings. Each phase runs ``--seconds`` (default 15).

    .venv/bin/python benchmarks/load.py [--seconds 15] [--connections 16] [--threads 4]
                                        [--mix requests|visits]

Rate limits are switched off for the run: every request comes from one address.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from loadgen import MIXES, WEEKS, run_phase  # noqa: E402

PG_URL = os.environ.get("ETAAIKA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
WORKERS, EXISTING_BOOKINGS = 10, 300


# -- data ------------------------------------------------------------------------------------


def populate(database_url: str, seed: int = 1) -> int:
    """Schema and data: one service with ten workers and some bookings; returns its id."""
    from scheduler import create_app
    from scheduler.extensions import db
    from scheduler.kernel import HELSINKI, local_date, local_instant, now_utc
    from scheduler.models import Booking, Organisation, Professional, Service, Unit, WeeklyRule
    from scheduler.schema import create_all

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "TESTING": True})
    rng = random.Random(seed)
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        org = Organisation(slug="kuorma", name={"fi": "Kuorma"}, timezone="Europe/Helsinki")
        unit = Unit(organisation=org, name={"fi": "Perhekeskus"})
        service = Service(
            organisation=org,
            unit=unit,
            slug="perheneuvola",
            name={"fi": "Perheneuvola"},
            duration_min=45,
            slot_interval_min=15,
            buffer_after_min=15,
            min_notice_min=60,
            horizon_days=WEEKS * 7,
            meeting_modes=["video", "phone"],
        )
        db.session.add_all([org, unit, service])
        db.session.flush()
        today = local_date(now_utc(), HELSINKI)
        now = now_utc()
        pros = []
        for n in range(WORKERS):
            pro = Professional(
                organisation_id=org.id, unit_id=unit.id, name=f"Työntekijä {n}", languages=["fi"]
            )
            pro.services.append(service)
            db.session.add(pro)
            db.session.flush()
            pros.append(pro)
            for weekday in range(5):
                db.session.add(
                    WeeklyRule(
                        professional_id=pro.id,
                        weekday=weekday,
                        start_time=clock_time(8),
                        end_time=clock_time(16),
                        service_ids=[],
                    )
                )
        taken: set[tuple[int, date, int]] = set()
        for n in range(EXISTING_BOOKINGS):
            pro = rng.choice(pros)
            day = today + timedelta(days=rng.randrange(1, WEEKS * 7))
            hour = rng.randrange(8, 15)
            if day.weekday() >= 5 or (pro.id, day, hour) in taken:
                continue
            taken.add((pro.id, day, hour))
            start = local_instant(day, clock_time(hour), HELSINKI)
            db.session.add(
                Booking(
                    uid=f"load-{n}@bench",
                    organisation_id=org.id,
                    service_id=service.id,
                    professional_id=pro.id,
                    start_at=start,
                    end_at=start + timedelta(minutes=45),
                    block_start_at=start,
                    block_end_at=start + timedelta(minutes=60),
                    status="confirmed",
                    meeting_mode="video",
                    client_name="Perhe",
                    created_at=now,
                    updated_at=now,
                    intake_answers={},
                )
            )
        db.session.commit()
        service_id = service.id
        db.engine.dispose()
    return service_id


def double_bookings(database_url: str) -> int:
    """Pairs of active bookings of one worker whose blocked times overlap."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            """
            SELECT count(*) FROM bookings a JOIN bookings b
              ON a.professional_id = b.professional_id AND a.id < b.id
             AND a.block_start_at < b.block_end_at AND b.block_start_at < a.block_end_at
             WHERE a.status IN ('held', 'confirmed') AND b.status IN ('held', 'confirmed')
               AND (a.status = 'confirmed' OR a.hold_expires_at > now())
               AND (b.status = 'confirmed' OR b.hold_expires_at > now())
            """
        ).fetchone()
    return int(row[0]) if row else 0


# -- the servers ------------------------------------------------------------------------------


def start_gunicorn(
    database_url: str,
    workers: int,
    threads: int,
    tmp: Path,
    extra_env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    metrics = tmp / f"metrics-{workers}"
    metrics.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETAAIKA_")}
    env.update(
        ETAAIKA_ENV_NAME="production",
        ETAAIKA_SECRET_KEY=uuid.uuid4().hex,
        ETAAIKA_DATABASE_URL=database_url,
        ETAAIKA_BIND=f"127.0.0.1:{port}",
        ETAAIKA_WEB_WORKERS=str(workers),
        ETAAIKA_WEB_THREADS=str(threads),
        ETAAIKA_RATELIMIT_ENABLED="false",
        ETAAIKA_LOG_JSON="true",
        ETAAIKA_SQLALCHEMY_ENGINE_OPTIONS=json.dumps({"pool_size": threads, "max_overflow": 2}),
        PROMETHEUS_MULTIPROC_DIR=str(metrics),
    )
    env.update(extra_env or {})
    log = (tmp / f"gunicorn-{workers}.log").open("wb")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            str(ROOT / "deploy" / "gunicorn_conf.py"),
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"GET /readyz HTTP/1.0\r\n\r\n")
                if b" 200 " in probe.recv(100):
                    return process, port
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError((tmp / f"gunicorn-{workers}.log").read_text())
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not become ready")


def slot_cache_hit_ratio(port: int) -> float | None:
    """Of the professionals' free times the searches asked for, the share served from the
    web processes' caches (their Prometheus counter, read over loopback)."""
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    counts = {"hit": 0.0, "miss": 0.0}
    for line in text.splitlines():
        if line.startswith("etaaika_slot_cache_total{"):
            labels, value = line.rsplit(" ", 1)
            for result in counts:
                if f'result="{result}"' in labels:
                    counts[result] += float(value)
    asked = counts["hit"] + counts["miss"]
    return round(counts["hit"] / asked, 3) if asked else None


def stop_gunicorn(process: subprocess.Popen[bytes]) -> float:
    """Stop it; returns the CPU seconds the server processes used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process.send_signal(signal.SIGTERM)
    process.wait(30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--mix", choices=MIXES, default="requests")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="ETAAIKA_KEY=VALUE",
        help="extra setting for the web processes (repeatable)",
    )
    args = parser.parse_args()

    import psycopg

    name = f"etaaika_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    result: dict[str, Any] = {}
    errors: list[str] = []
    try:
        service_id = populate(url)
        with tempfile.TemporaryDirectory() as tmp_name:
            for workers in (1, 2):
                process, port = start_gunicorn(
                    url,
                    workers,
                    args.threads,
                    Path(tmp_name),
                    dict(item.split("=", 1) for item in args.env),
                )
                try:
                    phase = run_phase(
                        port, service_id, args.seconds, args.connections, args.warmup, args.mix
                    )
                    phase["slot_cache_hit_ratio"] = slot_cache_hit_ratio(port)
                finally:
                    server_cpu = stop_gunicorn(process)
                errors += phase.pop("errors")
                result[f"rps_{workers}"] = phase.pop("rps")
                result[f"p95_ms_{workers}"] = phase.pop("p95_ms")
                for key, value in phase.items():
                    result[f"{key}_{workers}"] = value
                result[f"server_cpu_s_{workers}"] = server_cpu
        result["errors"] = len(errors)
        result["double_bookings"] = double_bookings(url)
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    result["growth_1_to_2"] = (
        round(result["rps_2"] / result["rps_1"], 2) if result["rps_1"] else None
    )
    result["settings"] = {
        "seconds": args.seconds,
        "connections": args.connections,
        "threads": args.threads,
        "mix": args.mix,
        "cores": os.cpu_count(),
        "search": "one service, one week, 10 workers",
    }
    if errors:
        print("\n".join(sorted(set(errors))[:20]), file=sys.stderr)
    ordered = {
        k: result.pop(k)
        for k in ("rps_1", "p95_ms_1", "rps_2", "p95_ms_2", "errors", "double_bookings")
    }
    print(json.dumps({**ordered, **result}))


if __name__ == "__main__":
    main()
