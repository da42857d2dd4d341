"""The pre-call connection test against the server's own aiortc peer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import VideoStreamTrack
from flask import Flask

from tests.factories import Factories
from tests.video.helpers import links_for, live_server, ticket_of, video_booking
from video.media import media_loop

WAIT_S = 30.0  # generous: the outcome is asserted, never how fast it came


async def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def _offer(pc: RTCPeerConnection) -> str:
    await pc.setLocalDescription(await pc.createOffer())
    while pc.iceGatheringState != "complete":
        await asyncio.sleep(0.01)
    return str(pc.localDescription.sdp)


async def _check(url: str) -> dict[str, Any]:
    """What a browser's check does: send video, ping over a data channel, see what returns."""
    pc = RTCPeerConnection()
    frames_back = 0
    pulls: set[asyncio.Future[None]] = set()
    pc.addTrack(VideoStreamTrack())
    channel = pc.createDataChannel("echo")
    echoes: asyncio.Queue[str] = asyncio.Queue()
    channel.on("message", echoes.put_nowait)

    @pc.on("track")
    def on_track(track: Any) -> None:
        async def pull() -> None:
            nonlocal frames_back
            while True:
                try:
                    await track.recv()
                except Exception:
                    return
                frames_back += 1

        pulls.add(asyncio.ensure_future(pull()))

    try:
        sdp = await _offer(pc)
        response = await asyncio.to_thread(
            requests.post, url, json={"type": "offer", "sdp": sdp}, timeout=20
        )
        assert response.status_code == 200, response.text
        await pc.setRemoteDescription(RTCSessionDescription(**response.json()))
        await _until(lambda: channel.readyState == "open", "the data channel to open")
        channel.send("ping 1")
        echoed = await asyncio.wait_for(echoes.get(), WAIT_S)
        await _until(lambda: frames_back > 5, "frames to come back")
        return {"echo": echoed, "frames_back": frames_back}
    finally:
        await pc.close()


@pytest.fixture
def check_url(app: Flask, make: Factories):  # type: ignore[no-untyped-def]
    booking = video_booking(make)
    with live_server(app) as base:
        links = links_for(booking)
        yield base + f"/video/check/{ticket_of(base, links.family)}"


def test_server_peer_echoes_media_and_data_channel_messages(check_url: str) -> None:
    result = asyncio.run(_check(check_url))
    assert result["echo"] == "ping 1"
    assert result["frames_back"] > 5


def test_connection_tests_beyond_the_cap_are_refused_at_once(app: Flask, check_url: str) -> None:
    app.config["VIDEO_MAX_CHECKS"] = 1

    async def two_at_once() -> int:
        first = RTCPeerConnection()
        first.addTrack(VideoStreamTrack())
        second = RTCPeerConnection()
        second.addTrack(VideoStreamTrack())
        try:
            one = await asyncio.to_thread(
                requests.post,
                check_url,
                json={"type": "offer", "sdp": await _offer(first)},
                timeout=20,
            )
            assert one.status_code == 200
            two = await asyncio.to_thread(
                requests.post,
                check_url,
                json={"type": "offer", "sdp": await _offer(second)},
                timeout=20,
            )
            return two.status_code
        finally:
            await first.close()
            await second.close()

    assert asyncio.run(two_at_once()) == 503


def test_connection_test_needs_a_valid_ticket(check_url: str) -> None:
    base = check_url.rsplit("/", 1)[0]
    response = requests.post(base + "/forged", json={"type": "offer", "sdp": "v=0"}, timeout=5)
    assert response.status_code == 404


def test_media_loop_is_one_long_lived_thread() -> None:
    loop = media_loop()

    async def thread_name() -> str:
        import threading

        return threading.current_thread().name

    assert loop.submit(thread_name()).result(5) == "video-media-loop"
    assert loop.submit(thread_name()).result(5) == "video-media-loop"
