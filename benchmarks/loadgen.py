"""The load generator of benchmarks/load.py: a lean asyncio HTTP/1.1 client with keep-alive
connections, and the mixed traffic it sends. Closed loop: each connection sends its next
request when the answer came.

Two mixes:

* ``requests`` (the default): of the requests sent, 80 % are slot searches, 15 % booking
  requests and 5 % manage requests. A booking takes two requests: a connection holds a
  time at one booking turn and confirms that hold at its next (meanwhile, as a family
  filling in the form, it goes on searching). Of the manage requests, one in five cancels.
* ``visits``: of the things a connection does, 80 % are searches, 15 % bookings (a hold
  and its confirmation back to back, two requests) and 5 % manage visits (a read, then
  in one case of four a cancel too). Per search this is about 1.6 times the writes of
  ``requests``.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

WEEKS = 8  # how far ahead the bookings go (the service's horizon)

CLIENT = {"name": "Kuormitus Testi", "email": "kuorma@example.org"}
EXPECTED = {
    "search": {200},
    "hold": {201, 409},  # 409: someone else got the time first
    "confirm": {201},
    "manage": {200},
    "cancel": {200, 409},  # 409: cancelled by another connection meanwhile
}


# -- one connection ---------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection; just enough of the protocol for this server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + data)
        status = int((await self.reader.readline()).split(b" ", 2)[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        payload = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    manage_tokens: list[str] = field(default_factory=list)


async def _timed(
    conn: Connection,
    tally: Tally,
    kind: str,
    method: str,
    path: str,
    body: Any = None,
    record: bool = True,
) -> tuple[int, bytes]:
    began = time.perf_counter()
    try:
        status, payload = await conn.request(method, path, body)
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
        conn.close()
        tally.errors.append(f"{kind}: {type(exc).__name__}")
        return 0, b""
    if record:
        tally.latencies[kind].append((time.perf_counter() - began) * 1000)
    if status not in EXPECTED[kind]:
        tally.errors.append(f"{kind}: {status} {payload[:120]!r}")
    return status, payload


class _Visitor:
    """One connection's requests, of either mix."""

    def __init__(self, port: int, plan: dict[str, Any], tally: Tally, seed: int) -> None:
        self.rng = random.Random(seed)
        self.conn = Connection(port)
        self.plan = plan
        self.tally = tally
        self.record = False
        self.hold_token: str | None = None  # held at one booking turn, confirmed at the next

    async def send(self, kind: str, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        return await _timed(self.conn, self.tally, kind, method, path, body, self.record)

    async def search(self) -> None:
        first = self.rng.choice(self.plan["weeks"])
        last = (date.fromisoformat(first) + timedelta(days=6)).isoformat()
        service_id = self.plan["service_id"]
        await self.send(
            "search", "GET", f"/api/v1/services/{service_id}/slots?from={first}&to={last}"
        )

    async def hold(self) -> None:
        body = {
            "service_id": self.plan["service_id"],
            "start_at": self.rng.choice(self.plan["starts"]),
        }
        status, payload = await self.send("hold", "POST", "/api/v1/holds", body)
        self.hold_token = json.loads(payload)["hold_token"] if status == 201 else None

    async def confirm(self) -> None:
        body = {"hold_token": self.hold_token, "client": CLIENT, "consent": True}
        self.hold_token = None
        status, payload = await self.send("confirm", "POST", "/api/v1/bookings", body)
        if status == 201:
            self.tally.manage_tokens.append(json.loads(payload)["manage_token"])

    async def read(self, token: str) -> None:
        await self.send("manage", "GET", f"/api/v1/manage/{token}")

    async def cancel(self, token: str) -> None:
        # Another connection may have cancelled the same booking meanwhile: 409.
        if token in self.tally.manage_tokens:
            self.tally.manage_tokens.remove(token)
        await self.send("cancel", "POST", f"/api/v1/manage/{token}/cancel", {})

    async def by_requests(self) -> None:
        pick = self.rng.random()
        if pick < 0.80:
            await self.search()
        elif pick < 0.95:
            await (self.confirm() if self.hold_token else self.hold())
        elif self.tally.manage_tokens:
            token = self.rng.choice(self.tally.manage_tokens)
            await (self.cancel(token) if self.rng.random() < 0.2 else self.read(token))

    async def by_visits(self) -> None:
        pick = self.rng.random()
        if pick < 0.80:
            await self.search()
        elif pick < 0.95:
            await self.hold()
            if self.hold_token:
                await self.confirm()
        elif self.tally.manage_tokens:
            token = self.rng.choice(self.tally.manage_tokens)
            await self.read(token)
            if self.rng.random() < 0.25:
                await self.cancel(token)


MIXES = ("requests", "visits")


async def _client(
    port: int,
    plan: dict[str, Any],
    tally: Tally,
    until: float,
    warm_until: float,
    seed: int,
    mix: str,
) -> None:
    visitor = _Visitor(port, plan, tally, seed)
    step = visitor.by_requests if mix == "requests" else visitor.by_visits
    try:
        while (now := time.monotonic()) < until:
            visitor.record = now >= warm_until
            await step()
    finally:
        visitor.conn.close()


async def _plan(port: int, service_id: int) -> dict[str, Any]:
    """The weeks to search and the free starts to book, from the service itself."""
    conn = Connection(port)
    today = date.today()
    weeks = [(today + timedelta(days=1 + 7 * n)).isoformat() for n in range(4)]
    last = (today + timedelta(days=WEEKS * 7 - 1)).isoformat()
    status, payload = await conn.request(
        "GET", f"/api/v1/services/{service_id}/slots?from={weeks[0]}&to={last}"
    )
    conn.close()
    assert status == 200, payload[:300]
    starts = sorted({slot["start_at"] for slot in json.loads(payload)["slots"]})
    return {"service_id": service_id, "weeks": weeks, "starts": starts}


def p95(values: list[float]) -> float | None:
    if len(values) < 20:
        return None
    return round(statistics.quantiles(values, n=20)[18], 1)


def run_phase(
    port: int,
    service_id: int,
    seconds: float,
    connections: int,
    warmup: float,
    mix: str = "requests",
) -> dict[str, Any]:
    async def main() -> Tally:
        plan = await _plan(port, service_id)
        tally = Tally()
        start = time.monotonic()
        await asyncio.gather(
            *(
                _client(port, plan, tally, start + warmup + seconds, start + warmup, n, mix)
                for n in range(connections)
            )
        )
        return tally

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    tally = asyncio.run(main())
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    every = [ms for values in tally.latencies.values() for ms in values]
    searches = tally.latencies["search"]
    return {
        "rps": round(len(every) / seconds, 1),
        "p95_ms": p95(every),
        "search_rps": round(len(searches) / seconds, 1),
        "search_p95_ms": p95(searches),
        "p95_ms_by_kind": {kind: p95(values) for kind, values in tally.latencies.items()},
        "requests_by_kind": {kind: len(values) for kind, values in tally.latencies.items()},
        "errors": tally.errors,
        "generator_cpu_s": round(
            (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime),
            2,
        ),
    }
