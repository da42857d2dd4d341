"""Call set-up time, the server's CPU during a call, and what a mesh call costs each browser.

Runs the app in gunicorn (gthread, as in production) on loopback, and Chromium pages with
fake cameras (640 × 480). Two people (one Chromium, two pages): the family waits, the worker
admits.

- admit_to_frame_median_ms: from the worker's admit click until *both* sides have shown
  a first decoded remote frame; median of 10 calls.
- server_cpu_s_per_call_minute: CPU seconds the server process spends per minute of an
  established two-party call (media flows peer to peer; the server only keeps the sockets).

A mesh of N (``--mesh 3,4,5,6``; one Chromium process per participant, so that each one's
CPU can be read from /proc): the worker, the family, the other parent, an interpreter, a
guest and a colleague, as many as N; the worker admits everyone at once. Per N:

- meshN_setup_ms: from "admit everyone" until every page decodes every other's video
  (null if some pair had none within ``--setup-limit``; meshN_pairs_with_video says how many).
- meshN_sender_kbps_p50: the median browser's upload (every byte on the wire to all the
  others: video, sound, headers), kbit/s, over ``--window`` seconds.
- meshN_cpu_pct_per_browser: the median browser's CPU (all its processes), % of one core.
- meshN_recv_fps_p50, meshN_sent_height_p50: frame rate decoded from one other participant,
  height of the picture sent to one; low rates mean the machine could not keep up.
- meshN_cpu_ms_per_frame_p50: CPU per frame encoded or decoded, which a starved machine does
  not distort as much as the percentage (it codes fewer frames).

CPU figures are only as good as the machine: ``cores`` and ``load_1m`` are printed with them.
Prints one JSON object. Usage:
    .venv/bin/python benchmarks/call_setup.py [--runs 10] [--mesh 3,4,5,6] [--window 20]
"""

from __future__ import annotations

import argparse
import contextlib
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

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from scheduler import create_app  # noqa: E402
from scheduler.booking import meetings  # noqa: E402
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
APP = "scheduler:create_app()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_links(
    database_url: str, public_url: str, count: int, mesh_sizes: list[int]
) -> tuple[list[tuple[str, str]], list[list[str]]]:
    """``count`` video bookings starting now, with their family and worker links; and one
    booking for each mesh size with the links of its first N participants (the worker's
    first; the colleague's, sixth, joins as a host)."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "PUBLIC_URL": public_url})
    pairs, meshes = [], []
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        org = Organisation(slug="bench", name={"fi": "Kunta"})
        unit = Unit(organisation=org, name={"fi": "Perhekeskus"})
        service = Service(organisation=org, unit=unit, slug="s", name={"fi": "Palvelu"})
        db.session.add_all([org, unit, service])
        db.session.flush()
        now = datetime.now(UTC)
        for n in range(count + len(mesh_sizes)):
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
            family, worker = meetings.family_join_link(booking), meetings.worker_join_link(booking)
            assert family and worker
            if n < count:
                pairs.append((family, worker))
                continue
            links = [worker, family]
            for kind in ("parent", "interpreter", "guest", "colleague")[
                : mesh_sizes[n - count] - 2
            ]:
                links.append(meetings.invite_participant(booking, kind, kind.capitalize()))
            meshes.append(links)
        db.session.commit()
    return pairs, meshes


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


def two_party(
    playwright: Any,
    links: list[tuple[str, str]],
    runs: int,
    cpu_seconds_measured: float,
    server: subprocess.Popen[bytes],
) -> dict[str, Any]:
    """Set-up time of ``runs`` calls of two, and the server's CPU during one more."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    times = []
    for family_url, worker_url in links[:runs]:
        elapsed, family, worker = one_call(browser, family_url, worker_url)
        times.append(elapsed)
        family.context.close()
        worker.context.close()
    # One more call, left running: what does the server spend on it?
    _, family, worker = one_call(browser, *links[runs])
    time.sleep(3)
    before = server_cpu(server)
    time.sleep(cpu_seconds_measured)
    spent = server_cpu(server) - before
    frames = family.eval_on_selector(".tile[data-pid]", "t => t.dataset.framesDecoded")
    if not int(frames or 0):
        raise SystemExit("the measured call carried no video")
    browser.close()
    print(f"admit to frame, each run (ms): {times}", file=sys.stderr)
    return {
        "admit_to_frame_median_ms": round(statistics.median(times)),
        "server_cpu_s_per_call_minute": round(spent * 60 / cpu_seconds_measured, 4),
    }


def browser_root(marker: str) -> int:
    """The main process of the Chromium whose command line carries ``marker``."""
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if marker.encode() in argv and not any(a.startswith(b"--type=") for a in argv):
                return int(entry.name)
    raise SystemExit(f"no Chromium with {marker}")


def tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds of a process and all its descendants, by process."""
    found: dict[int, float] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            found[pid] = cpu_seconds(pid)
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue  # ended meanwhile
    return found


READ_TILES = """() => [...document.querySelectorAll('.tile[data-pid]')].map(t => ({
  pid: t.dataset.pid, at: Number(t.dataset.statsAt || 0),
  wire: Number(t.dataset.wireBytesSent || 0), frames: Number(t.dataset.framesDecoded || 0),
  encoded: Number(t.dataset.framesEncoded || 0),
  size: t.dataset.sentSize || '0x0'}))"""


def mesh_call(
    playwright: Any, links: list[str], warm_s: float, window_s: float, setup_limit_s: float
) -> dict[str, Any]:
    """One call of ``len(links)`` people, each in a Chromium process of their own."""
    size = len(links)
    browsers, pages, roots = [], [], []
    try:
        for link in links:
            marker = f"--etaaika-bench-peer={uuid.uuid4().hex[:12]}"
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, marker]
            )
            browsers.append(browser)
            roots.append(browser_root(marker))
            pages.append(open_and_wait(browser, link))
        worker = pages[0]
        waiting = size - 1 - (1 if size >= 6 else 0)  # the colleague (sixth) is a host
        worker.wait_for_function(
            "n => document.querySelectorAll('#lobby-list li').length === n",
            arg=waiting,
            timeout=60000,
        )
        clicked_at = worker.evaluate(
            "() => { document.querySelector('#admit-all-btn').click(); return Date.now(); }"
        )
        first, complete = [], True
        for page in pages:
            try:
                page.wait_for_function(
                    "n => { const t = [...document.querySelectorAll('.tile[data-pid]')];"
                    " return t.length === n && t.every(x => x.dataset.firstFrameAt); }",
                    arg=size - 1,
                    timeout=setup_limit_s * 1000,
                )
            except PlaywrightTimeout:
                complete = False  # measured all the same: what did get through, and at what cost
            first.extend(
                page.eval_on_selector_all(
                    ".tile[data-pid]", "ts => ts.map(t => Number(t.dataset.firstFrameAt || 0))"
                )
            )
        pairs_with_video = sum(1 for at in first if at) / (size * (size - 1))
        setup_ms = max(first) - clicked_at if complete else None
        time.sleep(warm_s)
        load_1m = os.getloadavg()[0]
        cpu_before = [tree_cpu(root) for root in roots]
        tiles_before = [page.evaluate(READ_TILES) for page in pages]
        started = time.monotonic()
        time.sleep(window_s)
        tiles_after = [page.evaluate(READ_TILES) for page in pages]
        cpu_after = [tree_cpu(root) for root in roots]
        wall = time.monotonic() - started
    finally:
        for browser in browsers:
            browser.close()

    cpu_pct = [
        100 * sum(t - before.get(pid, 0.0) for pid, t in after.items()) / wall
        for before, after in zip(cpu_before, cpu_after, strict=True)
    ]
    upload_kbps, fps, heights, frames_per_s = [], [], [], []
    for before_tiles, after_tiles in zip(tiles_before, tiles_after, strict=True):
        before_by_pid = {t["pid"]: t for t in before_tiles}
        kbps = frame_rate = 0.0
        for tile in after_tiles:
            old = before_by_pid.get(tile["pid"])
            if old is None or tile["at"] <= old["at"]:
                continue
            seconds = (tile["at"] - old["at"]) / 1000
            kbps += (tile["wire"] - old["wire"]) * 8 / 1000 / seconds
            coded = tile["frames"] - old["frames"] + tile["encoded"] - old["encoded"]
            frame_rate += coded / seconds
            fps.append((tile["frames"] - old["frames"]) / seconds)
            heights.append(int(tile["size"].split("x")[1]))
        upload_kbps.append(kbps)
        frames_per_s.append(frame_rate)
    return {
        f"mesh{size}_setup_ms": setup_ms,
        f"mesh{size}_sender_kbps_p50": round(statistics.median(upload_kbps)),
        f"mesh{size}_cpu_pct_per_browser": round(statistics.median(cpu_pct), 1),
        f"mesh{size}_recv_fps_p50": round(statistics.median(fps), 1) if fps else 0,
        f"mesh{size}_sent_height_p50": statistics.median(heights) if heights else 0,
        f"mesh{size}_load_1m": round(load_1m, 1),
        f"mesh{size}_pairs_with_video": round(pairs_with_video, 2),
        f"mesh{size}_cpu_ms_per_frame_p50": round(
            statistics.median(
                10 * pct / rate for pct, rate in zip(cpu_pct, frames_per_s, strict=True) if rate
            ),
            2,
        )
        if any(frames_per_s)
        else None,
        f"mesh{size}_coded_fps_per_browser_p50": round(statistics.median(frames_per_s), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cpu-seconds", type=float, default=30.0)
    parser.add_argument("--mesh", default="3,4,5,6", help="mesh sizes; empty for none")
    parser.add_argument("--warm", type=float, default=8.0, help="seconds before measuring")
    parser.add_argument("--window", type=float, default=20.0, help="seconds measured")
    parser.add_argument("--setup-limit", type=float, default=120.0, help="seconds to connect")
    args = parser.parse_args()
    sizes = [int(n) for n in args.mesh.split(",") if n.strip()]
    if any(not 3 <= n <= 6 for n in sizes):
        raise SystemExit("mesh sizes are 3 to 6")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        database_url = f"sqlite:///{folder}/bench.db"
        links, mesh_links = make_links(database_url, base, args.runs + 1, sizes)
        figures: dict[str, Any] = {"cores": os.cpu_count(), "load_1m": os.getloadavg()[0]}
        env = {
            **os.environ,
            "ETAAIKA_DATABASE_URL": database_url,
            "ETAAIKA_SECRET_KEY": SECRET,
            "ETAAIKA_PUBLIC_URL": base,
            "ETAAIKA_RATELIMIT_ENABLED": "false",
        }
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        server = subprocess.Popen(
            [gunicorn, "-k", "gthread", "--threads", "16", "-b", f"127.0.0.1:{port}", APP],
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
                if args.runs:
                    figures.update(
                        two_party(playwright, links, args.runs, args.cpu_seconds, server)
                    )
                for size_links in mesh_links:
                    figures.update(
                        mesh_call(playwright, size_links, args.warm, args.window, args.setup_limit)
                    )
                    print(json.dumps(figures), file=sys.stderr)
        finally:
            server.terminate()
            server.wait(10)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
