"""Measure every family page: its weight and the server's time to render it; prints JSON.

Weight is the page's HTML plus every stylesheet and script it links (no web fonts, no
images). Server time is the time the application takes to answer a GET through the WSGI
test client, with the demo municipality in SQLite. Run:

    .venv/bin/python benchmarks/pages.py [--rounds 60]

Prints {"max_page_bytes": …, "server_p95_ms": …, "pages": {name: {"bytes", "p95_ms"}}}.
Targets: under 60 KB per page and a p95 under 30 ms.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient  # noqa: E402

from scheduler import create_app  # noqa: E402
from scheduler.demo import create_demo  # noqa: E402
from scheduler.extensions import db  # noqa: E402
from scheduler.kernel import HELSINKI, local_date, now_utc  # noqa: E402
from scheduler.schema import create_all  # noqa: E402
from tests.catalogues import compile_public_catalogues  # noqa: E402

ASSETS = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


def next_monday() -> date:
    today = local_date(now_utc(), HELSINKI)
    return today + timedelta(days=7 - today.weekday())


def prepare(client: FlaskClient) -> dict[str, str]:
    """Hold and book times as a family would; the address of every family page."""
    week = next_monday().isoformat()
    service = f"/o/tunturikyla/s/palveluneuvonta?week={week}"

    def hold(slug: str) -> str:
        page = client.get(f"/o/tunturikyla/s/{slug}?week={week}").text
        start = re.findall(r'name="start" value="([^"]+)"', page)[-1]
        return client.post(f"/o/tunturikyla/s/{slug}/hold", data={"start": start}).headers[
            "Location"
        ]

    form = hold("palveluneuvonta")
    booking_form = hold("palveluneuvonta")
    booked = client.post(
        booking_form,
        data={
            "name": "Maija Meikäläinen",
            "email": "maija@example.org",
            "language": "fi",
            "consent": "y",
        },
    ).headers["Location"]
    manage = booked.removesuffix("/booked")
    return {
        "tray": "/",
        "service": service,
        "booking form": form,
        "identification": hold("lastenvalvoja"),
        "confirmation": booked,
        "manage": manage,
        "cancel": f"{manage}/cancel",
        "move": f"{manage}/move?week={week}",
        "accessibility": "/accessibility",
        "privacy": "/privacy",
    }


def measure(rounds: int) -> dict[str, object]:
    compile_public_catalogues()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "benchmark",
                "DATABASE_URL": f"sqlite:///{tmp}/pages.db",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            with db.engine.begin() as connection:
                create_all(connection)
            create_demo()
            db.session.commit()
        client = app.test_client()
        pages = prepare(client)
        results: dict[str, dict[str, float]] = {}
        for name, url in pages.items():
            html = client.get(url, headers={"Accept-Language": "fi"}).data
            size = len(html)
            for asset in set(ASSETS.findall(html.decode())):
                size += len(client.get(asset).data)
            timings = []
            for _ in range(rounds):
                began = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, (name, response.status_code)
            p95 = statistics.quantiles(timings, n=20)[18]
            results[name] = {"bytes": size, "p95_ms": round(p95, 2)}
        with app.app_context():
            db.engine.dispose()
    return {
        "max_page_bytes": max(int(r["bytes"]) for r in results.values()),
        "server_p95_ms": round(max(r["p95_ms"] for r in results.values()), 2),
        "pages": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    print(json.dumps(measure(args.rounds)))


if __name__ == "__main__":
    main()
