"""Call set-up time and the server's CPU during a call.

Runs the app in gunicorn (gthread, as in production) on loopback, and two Chromium pages
with fake cameras: the family waits, the worker admits.

- admit_to_frame_median_ms: from the worker's admit click until *both* sides have shown
  a first decoded remote frame; median of 10 calls.
- server_cpu_s_per_call_minute: CPU seconds the server process spends per minute of an
  established two-party call (media flows peer to peer; the server only keeps the sockets).

Prints one JSON object. Usage: .venv/bin/python benchmarks/call_setup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler import create_app, meetings  # noqa: E402
from scheduler.extensions import db  # noqa: E402
from scheduler.models import Booking, Organisation, Professional, Service, Unit  # noqa: E402
from scheduler.schema import create_all  # noqa: E402

CHROMIUM = os.environ.get("ETAAIKA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
SECRET = "benchmark-secret-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_links(database_url: str, public_url: str, count: int) -> list[tuple[str, str]]:
    """``count`` video bookings starting now, with their family and worker links."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "PUBLIC_URL": public_url})
    links = []
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        org = Organisation(slug="bench", name={"fi": "Kunta"})
        unit = Unit(organisation=org, name={"fi": "Perhekeskus"})
        service = Service(organisation=org, unit=unit, slug="s", name={"fi": "Palvelu"})
        db.session.add_all([org, unit, service])
        db.session.flush()
        now = datetime.now(UTC)
        for n in range(count):
            pro = Professional(organisation_id=org.id, unit_id=unit.id, name=f"Työntekijä {n}")
            db.session.add(pro)
            db.session.flush()
            booking = Booking(
                uid=f"{uuid.uuid4()}@bench",
                organisation_id=org.id,
                service_id=service.id,
                professional_id=pro.id,
                start_at=now,
                end_at=now + timedelta(minutes=45),
                block_start_at=now,
                block_end_at=now + timedelta(minutes=45),
                status="confirmed",
                meeting_mode="video",
                client_name=f"Perhe {n}",
                language="fi",
                intake_answers={},
                created_at=now,
                updated_at=now,
            )
            db.session.add(booking)
            db.session.flush()
            links.append((meetings.family_join_link(booking), meetings.worker_join_link(booking)))
        db.session.commit()
    return links  # type: ignore[return-value]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(process: subprocess.Popen[bytes]) -> float:
    """CPU of gunicorn's master and its workers."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return cpu_seconds(process.pid) + sum(cpu_seconds(int(c)) for c in children)


def open_and_wait(browser: Any, url: str) -> Any:
    context = browser.new_context(permissions=["camera", "microphone"])
    page = context.new_page()
    page.goto(url)
    page.click("#allow-btn")
    page.wait_for_function(
        "() => { const v = document.querySelector('#self-preview');"
        " return v.srcObject && v.srcObject.getTracks().length === 2; }"
    )
    page.click("#continue-btn")
    return page


def one_call(browser: Any, family_url: str, worker_url: str) -> tuple[float, Any, Any]:
    family = open_and_wait(browser, family_url)
    worker = open_and_wait(browser, worker_url)
    worker.wait_for_selector("#lobby-list li .admit-btn")
    clicked_at = worker.evaluate(
        "() => { document.querySelector('#lobby-list li .admit-btn').click(); return Date.now(); }"
    )
    first = []
    for page in (family, worker):
        page.wait_for_selector(".tile[data-first-frame-at]", timeout=20000)
        first.append(int(page.get_attribute(".tile[data-first-frame-at]", "data-first-frame-at")))
    return max(first) - clicked_at, family, worker


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cpu-seconds", type=float, default=30.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        database_url = f"sqlite:///{folder}/bench.db"
        links = make_links(database_url, base, args.runs + 1)
        env = {
            **os.environ,
            "ETAAIKA_DATABASE_URL": database_url,
            "ETAAIKA_SECRET_KEY": SECRET,
            "ETAAIKA_PUBLIC_URL": base,
            "ETAAIKA_RATELIMIT_ENABLED": "false",
        }
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-k",
                "gthread",
                "--threads",
                "16",
                "-w",
                "1",
                "-b",
                f"127.0.0.1:{port}",
                "scheduler:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                times = []
                for family_url, worker_url in links[: args.runs]:
                    elapsed, family, worker = one_call(browser, family_url, worker_url)
                    times.append(elapsed)
                    family.context.close()
                    worker.context.close()
                # One more call, left running: what does the server spend on it?
                _, family, worker = one_call(browser, *links[args.runs])
                time.sleep(3)
                before = server_cpu(server)
                time.sleep(args.cpu_seconds)
                spent = server_cpu(server) - before
                frames = family.eval_on_selector(".tile[data-pid]", "t => t.dataset.framesDecoded")
                if not int(frames or 0):
                    raise SystemExit("the measured call carried no video")
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    print(f"admit to frame, each run (ms): {times}", file=sys.stderr)
    print(
        json.dumps(
            {
                "admit_to_frame_median_ms": round(statistics.median(times)),
                "server_cpu_s_per_call_minute": round(spent * 60 / args.cpu_seconds, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
