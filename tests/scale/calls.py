"""A call between two aiortc peers that stays up while the test does other things.

Unlike ``tests.video.helpers.aiortc_call`` (which hangs up once frames flow), the peers
here stay connected until the ``async with`` block ends, so a test can count the frames
that keep arriving while it breaks something else.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiortc import RTCPeerConnection
from aiortc.mediastreams import VideoStreamTrack

from tests.video.helpers import SignalClient, negotiate


@dataclass
class LiveCall:
    """Frames received so far by each side."""

    frames: dict[str, int] = field(default_factory=lambda: {"caller": 0, "callee": 0})

    async def wait_frames(self, more_than: dict[str, int], timeout: float = 15) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while any(self.frames[side] <= more_than[side] for side in self.frames):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"frames stopped: {self.frames} (before: {more_than})")
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def live_call(
    caller: SignalClient, callee: SignalClient, caller_pid: int, callee_pid: int
) -> AsyncIterator[LiveCall]:
    """Connect two peers through the signalling (one offer, one answer) and keep them up."""
    call = LiveCall()
    pcs = {"caller": RTCPeerConnection(), "callee": RTCPeerConnection()}
    pulls: list[asyncio.Task[None]] = []
    for side, pc in pcs.items():
        pc.addTrack(VideoStreamTrack())

        def on_track(track: Any, side: str = side) -> None:
            async def pull() -> None:
                while True:
                    try:
                        await track.recv()
                    except Exception:
                        return
                    call.frames[side] += 1

            pulls.append(asyncio.ensure_future(pull()))

        pc.on("track", on_track)
    try:
        await negotiate(caller, callee, caller_pid, callee_pid, pcs["caller"], pcs["callee"])
        await call.wait_frames({"caller": 5, "callee": 5})
        yield call
    finally:
        for pc in pcs.values():
            await pc.close()
        for task in pulls:
            task.cancel()
        await asyncio.gather(*pulls, return_exceptions=True)
