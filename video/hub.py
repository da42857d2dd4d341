"""The signalling hub: a room's messages reach every socket of that room.

Two backends behind one small interface:

- ``MemoryHub``: one process (the default; ``make run``).
- ``RedisHub``: Redis pub/sub, so that the sockets of one room may live in different web
  processes or hosts.

Both deliver messages on one dispatcher thread per process, in order, so that a
subscriber's callback never runs inside another's (a callback may publish again).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)

Message = dict[str, Any]
Callback = Callable[[Message], None]
CHANNEL_PREFIX = "etaaika:video:room:"


class Hub(Protocol):
    def publish(self, room_id: int, message: Message) -> None: ...

    def subscribe(self, room_id: int, callback: Callback) -> Callable[[], None]:
        """Deliver the room's messages to ``callback``; returns the unsubscribe function."""
        ...

    def close(self) -> None: ...


class _LocalSubscribers:
    """The callbacks of this process, by room, and the thread that calls them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_room: dict[int, list[Callback]] = {}
        self._queue: queue.SimpleQueue[tuple[int, Message] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="video-hub", daemon=True)
        self._thread.start()

    def add(self, room_id: int, callback: Callback) -> Callable[[], None]:
        with self._lock:
            self._by_room.setdefault(room_id, []).append(callback)

        def unsubscribe() -> None:
            with self._lock:
                callbacks = self._by_room.get(room_id, [])
                if callback in callbacks:
                    callbacks.remove(callback)
                if not callbacks:
                    self._by_room.pop(room_id, None)

        return unsubscribe

    def deliver(self, room_id: int, message: Message) -> None:
        self._queue.put((room_id, message))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            room_id, message = item
            with self._lock:
                callbacks = list(self._by_room.get(room_id, ()))
            for callback in callbacks:
                try:
                    callback(message)
                except Exception:
                    log.exception("a signalling subscriber failed")

    def close(self) -> None:
        self._queue.put(None)


class MemoryHub:
    """Every socket of a room is in this process."""

    def __init__(self) -> None:
        self._local = _LocalSubscribers()

    def publish(self, room_id: int, message: Message) -> None:
        self._local.deliver(room_id, message)

    def subscribe(self, room_id: int, callback: Callback) -> Callable[[], None]:
        return self._local.add(room_id, callback)

    def close(self) -> None:
        self._local.close()


class RedisHub:
    """Rooms shared by processes through Redis pub/sub.

    Each process keeps one pattern subscription to every room and hands messages to its own
    sockets; signalling is a few small messages per call, so that costs nothing worth a
    subscription per room, and it keeps the one connection free of cross-thread commands.
    """

    def __init__(self, url: str, prefix: str = CHANNEL_PREFIX) -> None:
        import redis

        self._prefix = prefix
        self._redis = redis.Redis.from_url(url)
        self._local = _LocalSubscribers()
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._pubsub.psubscribe(f"{prefix}*")
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="video-hub-redis", daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        import redis

        while not self._closed.is_set():
            try:
                for item in self._pubsub.listen():
                    if item.get("type") != "pmessage":
                        continue
                    channel = item["channel"].decode()
                    room_id = int(channel.removeprefix(self._prefix))
                    self._local.deliver(room_id, json.loads(item["data"]))
            except Exception as error:
                if self._closed.is_set():
                    # ``close`` took the connection from under a read (redis-py may then
                    # fail inside its parser with any error, not only a connection error).
                    return
                if not isinstance(error, (redis.ConnectionError, ValueError, OSError)):
                    raise
                log.warning("signalling hub lost Redis; reconnecting", exc_info=True)
                self._closed.wait(1)

    def publish(self, room_id: int, message: Message) -> None:
        self._redis.publish(f"{self._prefix}{room_id}", json.dumps(message))

    def subscribe(self, room_id: int, callback: Callback) -> Callable[[], None]:
        return self._local.add(room_id, callback)

    def close(self) -> None:
        self._closed.set()
        try:
            self._pubsub.close()
        finally:
            self._local.close()
            self._redis.close()


def make_hub(config: dict[str, Any]) -> Hub:
    """Redis when ``VIDEO_HUB`` says so or a ``REDIS_URL`` is set, else in-process."""
    choice = config.get("VIDEO_HUB") or ("redis" if config.get("REDIS_URL") else "memory")
    if choice == "redis":
        return RedisHub(str(config["REDIS_URL"]), config.get("VIDEO_HUB_PREFIX") or CHANNEL_PREFIX)
    return MemoryHub()
