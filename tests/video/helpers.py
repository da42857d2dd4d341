"""Helpers of the video tests: a booking with a room, a live server, a socket client and
aiortc peers that call each other through the real signalling."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import simple_websocket
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import VideoStreamTrack
from flask import Flask
from werkzeug.serving import make_server

from scheduler.booking import meetings
from scheduler.extensions import db
from scheduler.models import Booking
from tests.factories import Factories


def video_booking(
    make: Factories,
    starts_in: timedelta = timedelta(minutes=5),
    length: timedelta = timedelta(minutes=45),
) -> Booking:
    """A confirmed video booking of a worker named Anna with the family Virtanen."""
    service = make.service()
    pro = make.professional(service, name="Anna Työntekijä")
    start = datetime.now(UTC).replace(microsecond=0) + starts_in
    now = datetime.now(UTC)
    booking = Booking(
        uid=f"{uuid.uuid4()}@test",
        organisation_id=service.organisation_id,
        service_id=service.id,
        professional_id=pro.id,
        start_at=start,
        end_at=start + length,
        block_start_at=start,
        block_end_at=start + length,
        status="confirmed",
        meeting_mode="video",
        client_name="Liisa Virtanen",
        language="fi",
        intake_answers={},
        created_at=now,
        updated_at=now,
    )
    db.session.add(booking)
    db.session.flush()
    return booking


@dataclass
class Links:
    family: str
    worker: str


def links_for(booking: Booking) -> Links:
    family = meetings.family_join_link(booking)
    worker = meetings.worker_join_link(booking)
    assert family and worker
    db.session.commit()
    return Links(family, worker)


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port (werkzeug, threaded: it speaks WebSocket)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        thread.join(5)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def ticket_of(base: str, link: str) -> str:
    """Open a page the way a browser does and read its ticket."""
    import requests

    page = requests.get(base + path_of(link), timeout=10)
    assert page.status_code == 200, page.text
    marker = 'data-ticket="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


class SignalClient:
    """A participant's signalling socket, as the page's script uses it."""

    def __init__(
        self, base: str, ticket: str, sid: str | None = None, name: str | None = None
    ) -> None:
        self.sid = sid or uuid.uuid4().hex
        self.ws = simple_websocket.Client.connect(
            base.replace("http", "ws", 1) + f"/video/ws/{ticket}"
        )
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        hello = {"type": "hello", "sid": self.sid}
        if name is not None:
            hello["name"] = name  # the display name chosen on the page
        self.send(hello)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            while True:
                raw = self.ws.receive()
                if raw is None:
                    return
                self.inbox.put(json.loads(raw))
        except simple_websocket.ConnectionClosed:
            self.inbox.put({"type": "__closed__"})

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def expect(self, kind: str, timeout: float = 10, **match: Any) -> dict[str, Any]:
        """The next message of ``kind`` (others are kept in ``seen``)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {kind} {match}; got {[m['type'] for m in self.seen]}")
            try:
                message = self.inbox.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(message)
            if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
                return message

    def drain(self, seconds: float) -> list[dict[str, Any]]:
        """Everything that arrives within ``seconds``."""
        deadline = time.monotonic() + seconds
        got = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                got.append(self.inbox.get(timeout=left))
            except queue.Empty:
                break
        self.seen.extend(got)
        return got

    def close(self) -> None:
        self.ws.close()


async def _wait_gathered(pc: RTCPeerConnection) -> None:
    while pc.iceGatheringState != "complete":
        await asyncio.sleep(0.01)


async def _next_signal(client: SignalClient) -> dict[str, Any]:
    return await asyncio.to_thread(client.expect, "signal", 15)


async def negotiate(
    caller: SignalClient,
    callee: SignalClient,
    caller_pid: int,
    callee_pid: int,
    offer_pc: RTCPeerConnection,
    answer_pc: RTCPeerConnection,
) -> None:
    """One offer from the caller, one answer from the callee, through the real signalling.
    aiortc does not trickle: the descriptions carry every candidate."""
    await offer_pc.setLocalDescription(await offer_pc.createOffer())
    await _wait_gathered(offer_pc)
    caller.send(
        {
            "type": "signal",
            "to": callee_pid,
            "toSid": callee.sid,
            "data": {"description": {"type": "offer", "sdp": offer_pc.localDescription.sdp}},
        }
    )
    offer = await _next_signal(callee)
    assert offer["from"] == caller_pid
    await answer_pc.setRemoteDescription(RTCSessionDescription(**offer["data"]["description"]))
    await answer_pc.setLocalDescription(await answer_pc.createAnswer())
    callee.send(
        {
            "type": "signal",
            "to": caller_pid,
            "toSid": caller.sid,
            "data": {"description": {"type": "answer", "sdp": answer_pc.localDescription.sdp}},
        }
    )
    answer = await _next_signal(caller)
    await offer_pc.setRemoteDescription(RTCSessionDescription(**answer["data"]["description"]))


async def aiortc_call(
    caller: SignalClient, callee: SignalClient, caller_pid: int, callee_pid: int
) -> tuple[int, int]:
    """Two aiortc peers call each other through the signalling; returns the frames each
    side received."""
    received = {"caller": 0, "callee": 0}
    pulls: set[asyncio.Future[None]] = set()
    pcs = {"caller": RTCPeerConnection(), "callee": RTCPeerConnection()}

    def count(side: str) -> None:
        @pcs[side].on("track")
        def on_track(track: Any) -> None:
            async def pull() -> None:
                while True:
                    try:
                        await track.recv()
                    except Exception:
                        return
                    received[side] += 1

            pulls.add(asyncio.ensure_future(pull()))

    for side in pcs:
        pcs[side].addTrack(VideoStreamTrack())
        count(side)
    try:
        await negotiate(caller, callee, caller_pid, callee_pid, pcs["caller"], pcs["callee"])
        for _ in range(200):
            if received["caller"] > 5 and received["callee"] > 5:
                break
            await asyncio.sleep(0.05)
        return received["caller"], received["callee"]
    finally:
        for pc in pcs.values():
            await pc.close()
