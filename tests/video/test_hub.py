"""The signalling hub's two backends deliver a room's messages, in order, to its sockets."""

from __future__ import annotations

import queue
import uuid
from collections.abc import Iterator

import pytest

from tests.services import REDIS_URL, need_redis
from video.hub import Hub, MemoryHub, RedisHub


def _collect(hub: Hub, room_id: int) -> queue.Queue[dict[str, int]]:
    inbox: queue.Queue[dict[str, int]] = queue.Queue()
    hub.subscribe(room_id, inbox.put)
    return inbox


def _take(inbox: queue.Queue[dict[str, int]], n: int) -> list[int]:
    return [inbox.get(timeout=5)["n"] for _ in range(n)]


def test_memory_hub_delivers_in_order_to_the_room_only() -> None:
    hub = MemoryHub()
    try:
        room, other = _collect(hub, 1), _collect(hub, 2)
        for n in range(50):
            hub.publish(1, {"n": n})
        assert _take(room, 50) == list(range(50))
        assert other.empty()
    finally:
        hub.close()


def test_unsubscribed_callback_hears_nothing_more() -> None:
    hub = MemoryHub()
    try:
        inbox: queue.Queue[dict[str, int]] = queue.Queue()
        unsubscribe = hub.subscribe(1, inbox.put)
        hub.publish(1, {"n": 1})
        assert _take(inbox, 1) == [1]
        unsubscribe()
        hub.publish(1, {"n": 2})
        with pytest.raises(queue.Empty):
            inbox.get(timeout=0.3)
    finally:
        hub.close()


@pytest.mark.redis
def test_redis_hub_joins_processes_in_one_room() -> None:
    need_redis()
    prefix = f"etaaika:test:{uuid.uuid4().hex}:"
    a, b = RedisHub(REDIS_URL, prefix), RedisHub(REDIS_URL, prefix)
    try:
        on_a, on_b = _collect(a, 7), _collect(b, 7)
        elsewhere = _collect(b, 8)
        for n in range(20):
            a.publish(7, {"n": n})
        assert _take(on_b, 20) == list(range(20))
        assert _take(on_a, 20) == list(range(20))
        assert elsewhere.empty()
    finally:
        a.close()
        b.close()


@pytest.mark.redis
def test_closing_the_redis_hub_while_it_reads_ends_its_listener_quietly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``close`` takes the connection from under the listener's read; redis-py then fails
    inside its parser (seen: AttributeError on a buffer it has dropped). The listener ends
    without an unhandled exception in its thread (which the test run turns into an error)."""
    need_redis()
    import threading

    from redis.client import PubSub

    reading = threading.Event()
    real_close = PubSub.close

    def listen(self: PubSub) -> Iterator[dict[str, object]]:
        reading.set()
        closed.wait(5)
        raise AttributeError("'NoneType' object has no attribute 'readline'")
        yield {}  # a generator, as redis-py's

    closed = threading.Event()

    def close(self: PubSub) -> None:
        real_close(self)
        closed.set()

    monkeypatch.setattr(PubSub, "listen", listen)
    monkeypatch.setattr(PubSub, "close", close)
    hub = RedisHub(REDIS_URL, f"etaaika:test:{uuid.uuid4().hex}:")
    assert reading.wait(5)
    hub.close()
    hub._thread.join(5)
    assert not hub._thread.is_alive()
