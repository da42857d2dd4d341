"""A real HTTP server on loopback that serves calendar feeds in the ways servers fail."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.catalogues import compile_staff_catalogues


@dataclass
class FeedServerState:
    """What each path serves; tests change ``bodies`` between fetches."""

    bodies: dict[str, bytes] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)  # path -> Location
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    huge_bytes: int = 3 * 1024 * 1024
    slow_seconds: float = 10.0
    slow_client_left: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet

    def do_GET(self) -> None:
        state = self.server.state
        state.requests.append((self.path, dict(self.headers.items())))
        path = self.path.split("?")[0]
        if path in state.redirects:
            self.send_response(302)
            self.send_header("Location", state.redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/500":
            self._send(500, b"Internal Server Error", "text/plain")
        elif path == "/slow":
            self._slow(state)
        elif path == "/huge":
            self._huge(state)
        elif path in state.bodies:
            body = state.bodies[path]
            etag = f'"{abs(hash(body))}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self._send(
                200,
                body,
                "text/calendar",
                {"ETag": etag, "Last-Modified": "Mon, 02 Mar 2026 08:00:00 GMT"},
            )
        elif path == "/odd-length":
            # A Content-Length that str.isdigit() accepts and int() does not.
            body = state.bodies.get("/cal.ics", b"")
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", "\u00b2")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
        elif path == "/always-304":
            self.send_response(304)
            self.end_headers()
        else:
            self._send(404, b"Not Found", "text/plain")

    def _send(
        self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _slow(self, state: FeedServerState) -> None:
        # Trickles a byte every 0.2 s: each read is quick, the whole answer is not.
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.end_headers()
        deadline = time.monotonic() + state.slow_seconds
        try:
            self.wfile.write(b"BEGIN:VCALENDAR\r\n")
            while time.monotonic() < deadline:
                self.wfile.write(b"X")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            state.slow_client_left.set()  # the client gave up before the answer ended

    def _huge(self, state: FeedServerState) -> None:
        # No Content-Length: the client can only find out by counting.
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.end_headers()
        line = b"X-FILLER:" + b"x" * 1000 + b"\r\n"
        try:
            self.wfile.write(b"BEGIN:VCALENDAR\r\n")
            for _ in range(state.huge_bytes // len(line)):
                self.wfile.write(line)
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: FeedServerState


@dataclass
class FeedServer:
    base: str
    state: FeedServerState

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@contextmanager
def serving(host: str = "127.0.0.1") -> Iterator[FeedServer]:
    """A feed server listening on ``host`` (any 127.x.y.z works on Linux loopback)."""
    server = _Server((host, 0), _Handler)
    server.state = FeedServerState()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FeedServer(f"http://{host}:{server.server_address[1]}", server.state)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def loopback_feeds_allowed(request: pytest.FixtureRequest) -> None:
    """The test servers listen on loopback, which the service refuses unless allowed;
    test_address_guard.py tests that refusal itself, so it is left as it is there."""
    if request.module.__name__.endswith("test_address_guard"):
        return
    for name in ("app", "any_app"):
        if name in request.fixturenames:
            request.getfixturevalue(name).config["FEED_ALLOW_PRIVATE"] = ["127.0.0.0/8"]


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with serving() as server:
        yield server


@pytest.fixture(scope="session", autouse=True)
def staff_catalogues() -> None:
    """Feed errors are read in the staff pages' catalogues (fi, sv, en)."""
    compile_staff_catalogues()
