"""The server's own WebRTC peer (aiortc) for the pre-call connection test.

aiortc runs on one asyncio loop in one long-lived background thread of the process, never
in a request: a request hands it an offer and waits for the answer. The peer sends back
what it receives (a short send-and-echo) and answers every data-channel message with the
same message, so that the browser can time the round trip. It never relays calls: that
would mean decoding and re-encoding every frame.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay

log = logging.getLogger(__name__)

T = TypeVar("T")
ECHO_LIFETIME_S = 20.0


class Busy(Exception):
    """As many connection tests are running as the server allows."""


class MediaLoop:
    """One asyncio loop in a daemon thread, shared by every request of the process."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._peers: set[RTCPeerConnection] = set()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="video-media-loop", daemon=True
                ).start()
                self._loop = loop
            return self._loop

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Run ``coro`` on the loop; the caller waits on the returned future."""
        return asyncio.run_coroutine_threadsafe(coro, self._ensure())

    @property
    def live_peers(self) -> int:
        return len(self._peers)

    async def answer_echo(
        self,
        offer_sdp: str,
        ice_servers: list[dict[str, Any]],
        lifetime_s: float,
        on_closed: Callable[[], None] = lambda: None,
    ) -> str:
        """Answer a browser's offer with an echoing peer that lives ``lifetime_s`` at most."""
        config = RTCConfiguration(
            iceServers=[
                RTCIceServer(
                    urls=s["urls"], username=s.get("username"), credential=s.get("credential")
                )
                for s in ice_servers
            ]
        )
        pc = RTCPeerConnection(configuration=config)
        self._peers.add(pc)
        relay = MediaRelay()

        async def close() -> None:
            if pc in self._peers:
                self._peers.discard(pc)
                try:
                    await pc.close()
                finally:
                    on_closed()

        @pc.on("track")
        def on_track(track: Any) -> None:
            pc.addTrack(relay.subscribe(track))

        @pc.on("datachannel")
        def on_datachannel(channel: Any) -> None:
            @channel.on("message")
            def on_message(message: str | bytes) -> None:
                channel.send(message)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed"):
                await close()

        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception:
            await close()
            raise
        asyncio.get_running_loop().call_later(lifetime_s, lambda: asyncio.ensure_future(close()))
        return str(pc.localDescription.sdp)


_media = MediaLoop()
_checks_lock = threading.Lock()
_checks_running = 0


def media_loop() -> MediaLoop:
    """The process's one media loop."""
    return _media


def run_connection_test(
    offer_sdp: str,
    ice_servers: list[dict[str, Any]],
    max_concurrent: int,
    timeout_s: float = 15.0,
    lifetime_s: float = ECHO_LIFETIME_S,
) -> str:
    """Start an echo peer for one browser and return its SDP answer.

    At most ``max_concurrent`` tests run at once in this process; more raise ``Busy``
    at once rather than queueing, so that a crowd cannot pile up threads.
    """
    global _checks_running
    with _checks_lock:
        if _checks_running >= max_concurrent:
            raise Busy
        _checks_running += 1

    released = threading.Event()

    def release() -> None:
        global _checks_running
        with _checks_lock:
            if not released.is_set():
                released.set()
                _checks_running -= 1

    future = _media.submit(_media.answer_echo(offer_sdp, ice_servers, lifetime_s, release))
    try:
        return future.result(timeout=timeout_s)
    except BaseException:
        future.cancel()
        release()
        raise
