"""The week view of free times on a phone, measured in Chromium; prints JSON.

This measures what Lighthouse's mobile performance score rests on with Chromium's own
performance APIs (and, with ``--lighthouse``, runs Lighthouse 12 itself through ``npx``,
which fetches it once from the npm registry): the page is loaded at 360×740 as a
phone with the CPU slowed four times (as Lighthouse's mobile run does), and the
browser reports every long task (PerformanceObserver "longtask"). Total blocking time
is the sum of each long task's time over 50 ms, from the start of the load until two
seconds after it, the same sum Lighthouse takes (it stops at "time to interactive",
which is no later). Also: first contentful paint, largest contentful paint, layout
shift, the page's height, and how many Tab presses it takes from the day picker to
Friday's first free time. The demo municipality in SQLite, served from a thread.

    .venv/bin/python benchmarks/week_view_phone.py [--rounds 5] [--lighthouse]

Prints {"cpu_slowdown", "rounds", "pages": {name: {"tbt_ms_median", "tbt_ms_max",
"long_tasks_max",
"fcp_ms_median", "lcp_ms_median", "cls_max", "height_px", "tab_presses_to_friday"}}};
with --lighthouse each page also gets "lighthouse": {"performance", "accessibility",
"tbt_ms", "lcp_ms", "cls"} (mobile form factor, simulated throttling), or the reason it
could not run. Targets: Lighthouse performance 100, blocking time under 50 ms, no layout
shift.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from scheduler import create_app  # noqa: E402
from scheduler.demo import create_demo  # noqa: E402
from scheduler.extensions import db  # noqa: E402
from scheduler.kernel import HELSINKI, local_date, now_utc  # noqa: E402
from scheduler.schema import create_all  # noqa: E402
from tests.catalogues import compile_public_catalogues  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CPU_SLOWDOWN = 4

# Registered before any of the page's own scripts run.
OBSERVE = """
window.__perf = {long: [], lcp: 0, cls: 0};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__perf.long.push([e.startTime, e.duration]);
}).observe({type: "longtask", buffered: true});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__perf.lcp = e.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__perf.cls += e.value;
}).observe({type: "layout-shift", buffered: true});
"""

READ = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const end = nav.loadEventEnd + 2000;
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const long = window.__perf.long.filter(([start]) => start < end);
  return {
    tbt: long.reduce((sum, [, d]) => sum + Math.max(0, d - 50), 0),
    long: long.length,
    fcp: fcp ? fcp.startTime : null,
    lcp: window.__perf.lcp,
    cls: window.__perf.cls,
    height: document.documentElement.scrollHeight,
  };
}"""


def next_monday() -> date:
    today = local_date(now_utc(), HELSINKI)
    return today + timedelta(days=7 - today.weekday())


def serve(tmp: Path) -> tuple[Any, str]:
    compile_public_catalogues()
    app = create_app(
        {
            "SECRET_KEY": "benchmark",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        create_demo()
        db.session.commit()
        db.session.remove()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the JSON alone on stdout
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def tab_presses_to_friday(page: Any, friday: str) -> int | None:
    """Tab (and the arrow keys where the picker takes them) from the first day of the
    picker until a free time of Friday has the focus; None past 200 presses."""
    if page.locator(".day-picker a").count() == 0:  # no picker: from the first free time
        page.locator("button.slot").first.focus()
    else:
        page.locator(".day-picker a").first.focus()
    presses = 0
    tabs = page.locator(".day-picker [role=tab]").count() > 0
    if tabs:
        page.keyboard.press("Home")
        presses += 1
        for _ in range(4):
            page.keyboard.press("ArrowRight")
            presses += 1
    while presses < 200:
        day, value = page.evaluate(
            "() => [document.activeElement.closest('.day')?.id || '',"
            " document.activeElement.value || '']"
        )
        if day == f"day-{friday}" or value.startswith(friday):
            return presses
        page.keyboard.press("Tab")
        presses += 1
    return None


def lighthouse(url: str) -> dict[str, Any] | str:
    """Lighthouse 12's mobile run of ``url``: its scores and figures, or why it did not run."""
    npx = shutil.which("npx")
    if npx is None:
        return "not available: npx (Node.js) not found"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [
            npx, "--yes", "lighthouse@12", url, "--quiet", "--form-factor=mobile",
            "--only-categories=performance,accessibility", "--output=json",
            f"--output-path={report}", "--chrome-flags=--headless=new --no-sandbox",
        ]  # fmt: skip
        done = subprocess.run(
            command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, timeout=300
        )
        if done.returncode != 0 or not report.exists():
            return f"not available: lighthouse exited {done.returncode}"
        found = json.loads(report.read_text())
    audits, categories = found["audits"], found["categories"]
    return {
        "performance": round(categories["performance"]["score"] * 100),
        "accessibility": round(categories["accessibility"]["score"] * 100),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lighthouse", action="store_true")
    options = parser.parse_args()
    rounds = options.rounds
    from playwright.sync_api import sync_playwright

    monday = next_monday()
    friday = (monday + timedelta(days=4)).isoformat()
    pages = {
        "week, next week": f"/o/tunturikyla/s/palveluneuvonta?week={monday.isoformat()}",
        "week, this week": "/o/tunturikyla/s/palveluneuvonta",
    }
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        server, base = serve(Path(tmp))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
            )
            for name, path in pages.items():
                runs = []
                presses = None
                for _ in range(rounds):
                    context = browser.new_context(
                        viewport={"width": 360, "height": 740},
                        is_mobile=True,
                        has_touch=True,
                        device_scale_factor=2,
                        locale="fi-FI",
                        timezone_id="Europe/Helsinki",
                    )
                    context.add_init_script(OBSERVE)
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
                    page.goto(base + path, wait_until="load")
                    page.wait_for_timeout(2000)
                    runs.append(page.evaluate(READ))
                    if presses is None and name == "week, next week":
                        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
                        presses = tab_presses_to_friday(page, friday)
                    context.close()
                results[name] = {
                    "tbt_ms_median": round(statistics.median(r["tbt"] for r in runs), 1),
                    "tbt_ms_max": round(max(r["tbt"] for r in runs), 1),
                    "long_tasks_max": max(r["long"] for r in runs),
                    "fcp_ms_median": round(statistics.median(r["fcp"] or 0 for r in runs), 1),
                    "lcp_ms_median": round(statistics.median(r["lcp"] for r in runs), 1),
                    "cls_max": round(max(r["cls"] for r in runs), 4),
                    "height_px": runs[-1]["height"],
                }
                if presses is not None:
                    results[name]["tab_presses_to_friday"] = presses
                if options.lighthouse:
                    results[name]["lighthouse"] = lighthouse(base + path)
            browser.close()
        server.shutdown()
    print(
        json.dumps(
            {"cpu_slowdown": CPU_SLOWDOWN, "rounds": rounds, "pages": results}, sort_keys=True
        )
    )


if __name__ == "__main__":
    main()
