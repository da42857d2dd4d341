"""Browser tests of the family pages: the app served from a thread on a free loopback port
(SQLite, demo data, CSRF and rate limits on), driven by Debian's Chromium through Playwright.
axe-core comes from npm (tests/e2e/node_modules, installed by ``make test``)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from scheduler.demo import create_demo
from scheduler.extensions import db
from scheduler.schema import create_all
from tests.catalogues import compile_public_catalogues
from tests.conftest import make_app
from tests.services import CHROMIUM, need, need_chromium

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The whole app on a real HTTP server in a thread, with the demo municipality."""
    compile_public_catalogues()
    tmp = tmp_path_factory.mktemp("e2e")
    app = make_app(
        tmp,
        f"sqlite:///{tmp / 'e2e.db'}",
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
        RATELIMIT_PUBLIC="1000 per minute",
        RATELIMIT_PAGES="5000 per minute",
        RATELIMIT_SIGN_IN="1000 per minute",
        DEV_TOOLS=True,  # as `make run`: identification with test persons, /dev/messages
    )
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        create_demo()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module (Debian's; no browser is ever downloaded)."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def need_axe() -> str:
    need("axe", AXE.exists(), f"axe-core at {AXE} (run `npm ci` in tests/e2e)")
    return str(AXE)


class PageWatch:
    """Collects what the browser complains about: CSP refusals and script errors."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message: Any) -> None:
        if message.type == "error" and not re.search(r"status of 4\d\d", message.text):
            self.problems.append(message.text)


def new_page(
    browser: Any, viewport: dict[str, int], phone: bool = False, axe: bool = False
) -> tuple[Any, Any, PageWatch]:
    """A fresh browser context (own cookies) and page; axe-core added outside the page's
    CSP, as the browser's own script, when asked."""
    context = browser.new_context(
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        locale="fi-FI",
        timezone_id="Europe/Helsinki",
    )
    context.set_default_timeout(10_000)
    if axe:
        context.add_init_script(path=need_axe())
    page = context.new_page()
    return context, page, PageWatch(page)


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


def axe_violations(page: Any) -> list[str]:
    return list(page.evaluate(AXE_RUN))


def findings_on_every_page(
    browser: Any,
    viewport: dict[str, int],
    visit: Callable[[Any], Iterator[str]],
    check: Callable[[Any], Any],
    phone: bool = False,
    axe: bool = False,
) -> tuple[dict[str, Any], list[str]]:
    """Walk the pages ``visit`` opens (it yields a name for each) and run ``check`` on each.

    Returns the pages whose check found something, by name, and the script errors and CSP
    refusals the browser reported on the way; a clean run gives ``({}, [])``.
    """
    context, page, watch = new_page(browser, viewport, phone=phone, axe=axe)
    found: dict[str, Any] = {}
    try:
        for name in visit(page):
            finding = check(page)
            if finding:
                found[name] = finding
    finally:
        context.close()
    return found, watch.problems


def overflows_horizontally(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
    )
