"""What each change to a library's way saves a web process per request; prints JSON.

The request frame changes three library parts for speed: Flask-Limiter's check before each
request (``scheduler/extensions.py``), Flask's session interface
(``scheduler/web/session_cookie.py``) and when Flask-WTF checks the CSRF token
(``scheduler/web/csrf_check.py``). This script serves the two commonest requests (a week's
slot search through the API, warm, and the liveness probe) through the WSGI test client,
with CSRF and rate limits on as in production (limits in memory), and measures the
process's CPU time per request with every change in place, with each one put back to the
library's own way, and with none. Run:

    .venv/bin/python benchmarks/request_frame.py [--requests 3000] [--rounds 5]

Prints {"requests", "rounds", "cpu_us": {variant: {"search", "probe"}},
"saved_us": {override: {"search", "probe"}}}: the median over the rounds of CPU
microseconds per request, and what each override saves against the library's own way.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import MethodType

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import flask_limiter  # noqa: E402
from flask import Flask  # noqa: E402
from flask.sessions import SecureCookieSessionInterface  # noqa: E402
from sqlalchemy import select  # noqa: E402

from scheduler import create_app  # noqa: E402
from scheduler.demo import create_demo  # noqa: E402
from scheduler.extensions import db, limiter  # noqa: E402
from scheduler.kernel import HELSINKI, local_date, now_utc  # noqa: E402
from scheduler.models import Service  # noqa: E402
from scheduler.schema import create_all  # noqa: E402
from scheduler.web.csrf_check import check_csrf  # noqa: E402

OVERRIDES = ("session_interface", "limiter_check", "csrf_check")


def library_ways(app: Flask, names: tuple[str, ...]) -> Callable[[], None]:
    """Put the named changes back to the library's own way; returns the undo."""
    undo: list[Callable[[], None]] = []
    hooks = app.before_request_funcs[None]
    if "session_interface" in names:
        ours = app.session_interface
        app.session_interface = SecureCookieSessionInterface()
        undo.append(lambda: setattr(app, "session_interface", ours))
    if "limiter_check" in names:
        index = hooks.index(limiter._check_request_limit)
        hooks[index] = MethodType(flask_limiter.Limiter._check_request_limit, limiter)
        undo.append(lambda: hooks.__setitem__(index, limiter._check_request_limit))
    if "csrf_check" in names:
        index = hooks.index(check_csrf)
        hooks.pop(index)
        app.config["WTF_CSRF_CHECK_DEFAULT"] = True
        undo.append(lambda: hooks.insert(index, check_csrf))
        undo.append(lambda: app.config.__setitem__("WTF_CSRF_CHECK_DEFAULT", False))

    def restore() -> None:
        for step in undo:
            step()

    return restore


def cpu_per_request(client: object, url: str, requests: int) -> float:
    get = client.get  # type: ignore[attr-defined]
    began = time.process_time()
    for _ in range(requests):
        get(url)
    return (time.process_time() - began) / requests * 1e6


def measure(requests: int, rounds: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "benchmark",
                "DATABASE_URL": f"sqlite:///{tmp}/frame.db",
                "WTF_CSRF_ENABLED": True,
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": "memory://",
                "LOG_REQUESTS": False,
            }
        )
        with app.app_context():
            with db.engine.begin() as connection:
                create_all(connection)
            create_demo()
            db.session.commit()
            service_id = db.session.scalars(select(Service.id).order_by(Service.id)).first()
        first = local_date(now_utc(), HELSINKI) + timedelta(days=7)
        urls = {
            "search": f"/api/v1/services/{service_id}/slots?from={first}&to="
            f"{first + timedelta(days=6)}",
            "probe": "/healthz",
        }
        client = app.test_client()
        for url in urls.values():
            assert client.get(url).status_code == 200, url
        variants: dict[str, tuple[str, ...]] = {"all": ()}
        variants.update({f"without {name}": (name,) for name in OVERRIDES})
        variants["none"] = OVERRIDES
        samples: dict[str, dict[str, list[float]]] = {v: {u: [] for u in urls} for v in variants}
        for _ in range(rounds):
            for variant, names in variants.items():
                restore = library_ways(app, names)
                try:
                    for name, url in urls.items():
                        cpu_per_request(client, url, requests // 10)  # settle
                        samples[variant][name].append(cpu_per_request(client, url, requests))
                finally:
                    restore()
        with app.app_context():
            db.engine.dispose()
    cpu = {
        v: {u: round(statistics.median(s), 1) for u, s in by_url.items()}
        for v, by_url in samples.items()
    }
    saved = {
        name: {u: round(cpu[f"without {name}"][u] - cpu["all"][u], 1) for u in urls}
        for name in OVERRIDES
    }
    saved["all"] = {u: round(cpu["none"][u] - cpu["all"][u], 1) for u in urls}
    return {"requests": requests, "rounds": rounds, "cpu_us": cpu, "saved_us": saved}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(measure(args.requests, args.rounds)))


if __name__ == "__main__":
    main()
