"""One signalling socket: what a participant may send and what reaches them.

Every socket of a room meets the others through the hub. Each keeps its own view of who is
there (a roster built from ``hello``/``here``/``bye`` messages, so it works across
processes without shared memory) and tells its browser only what that browser may know:

- a waiting participant learns only whether the worker is there and has seen them, and
  then that they are admitted: no ICE servers, no names, no signalling before that;
- a host (the worker, or a colleague) sees who is waiting, with their role and the name
  they chose, and admits them one by one or all at once, removes or ends;
- admitted participants see each other join and leave and exchange SDP and candidates.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from video.hub import Hub, Message

log = logging.getLogger(__name__)

MAX_SIGNAL_BYTES = 64 * 1024


@dataclass(frozen=True)
class Member:
    """The participant behind a socket, as the others may see them once admitted."""

    pid: int
    name: str
    kind: str
    host: bool


class RoomActions(Protocol):
    """Changes to the room that outlive a socket; each commits on its own."""

    def admit(self, pid: int) -> bool: ...

    def remove(self, pid: int) -> bool: ...

    def end(self) -> None: ...

    def invite(self, kind: str) -> str | None: ...

    def ice(self) -> dict[str, Any]: ...


@dataclass
class _Seen:
    member: Member
    sid: str
    admitted: bool


@dataclass
class Connection:
    """The server side of one participant's socket."""

    hub: Hub
    room_id: int
    me: Member
    admitted: bool
    actions: RoomActions
    send_to_client: Callable[[Message], None]
    close_client: Callable[[], None]
    sid: str = ""
    conn: str = field(default_factory=lambda: uuid.uuid4().hex)
    _roster: dict[str, _Seen] = field(default_factory=dict)
    _announced: dict[str, tuple[int, str]] = field(default_factory=dict)
    _lobby: list[dict[str, Any]] | None = None
    _host_present: bool | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _unsubscribe: Callable[[], None] | None = None
    _closed: bool = False

    # -- life cycle ------------------------------------------------------------------

    def open(self, sid: str) -> None:
        """Join the room's hub and say hello; the others answer with ``here``."""
        self.sid = sid[:64]
        self._unsubscribe = self.hub.subscribe(self.room_id, self.on_hub)
        self.send_to_client({"type": "welcome", "you": asdict(self.me), "admitted": self.admitted})
        if self.admitted:
            self.send_to_client({"type": "admitted", **self.actions.ice()})
        else:
            self._notify()
        self._publish("hello")

    def close(self) -> None:
        """Leave the room (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._unsubscribe:
            self._unsubscribe()
        self._publish("bye")

    def _publish(self, kind: str, **extra: Any) -> None:
        self.hub.publish(
            self.room_id,
            {
                "t": kind,
                "conn": self.conn,
                "sid": self.sid,
                "member": asdict(self.me),
                "admitted": self.admitted,
                **extra,
            },
        )

    def _stop(self, reason: str) -> None:
        self.send_to_client({"type": reason})
        self.close_client()

    # -- from the browser --------------------------------------------------------------

    def on_client(self, message: Message) -> None:
        """Handle one message of the browser (already parsed JSON)."""
        kind = message.get("type")
        if kind == "ping":
            self.send_to_client({"type": "pong"})
        elif kind == "signal" and self.admitted:
            self._publish(
                "signal", to=message.get("to"), toSid=message.get("toSid"), data=message.get("data")
            )
        elif self.me.host:
            self._on_host(kind, message)

    def _on_host(self, kind: Any, message: Message) -> None:
        target = message.get("pid")
        if kind == "admit" and isinstance(target, int) and self.actions.admit(target):
            self._publish("admit", pid=target)
        elif kind == "admit-all":
            # Everyone waiting now, one by one, as if each had been admitted on their own.
            with self._lock:
                waiting = sorted({s.member.pid for s in self._roster.values() if not s.admitted})
            for pid in waiting:
                if self.actions.admit(pid):
                    self._publish("admit", pid=pid)
        elif kind == "remove" and isinstance(target, int) and self.actions.remove(target):
            self._publish("remove", pid=target)
        elif kind == "seen" and isinstance(target, int):
            self._publish("seen", pid=target)
        elif kind == "end":
            self.actions.end()
            self._publish("end")
            self._stop("ended")
        elif kind == "invite":
            link = self.actions.invite(str(message.get("kind")))
            self.send_to_client({"type": "invited", "kind": message.get("kind"), "link": link})

    # -- from the hub (dispatcher thread) -------------------------------------------------

    def on_hub(self, message: Message) -> None:
        """Handle one message of the room."""
        if message.get("conn") == self.conn or self._closed:
            return
        kind = message.get("t")
        member = Member(**message["member"])
        seen = _Seen(member, str(message.get("sid", "")), bool(message.get("admitted")))
        with self._lock:
            if kind == "hello":
                if member.pid == self.me.pid:
                    # The same person opened the link again: the newer page wins.
                    self._stop("replaced")
                    return
                self._roster[message["conn"]] = seen
                self._publish("here", to=message["conn"])
            elif (kind == "here" and message.get("to") == self.conn) or (
                kind == "state" and message["conn"] in self._roster
            ):
                self._roster[message["conn"]] = seen
            elif kind == "bye":
                self._roster.pop(message["conn"], None)
            elif kind in ("admit", "remove", "seen") and message.get("pid") == self.me.pid:
                self._on_decision(kind)
            elif kind == "end":
                self._stop("ended")
                return
            elif kind == "signal":
                self._relay_signal(message, seen)
                return
            self._notify()

    def _on_decision(self, kind: str) -> None:
        if kind == "remove":
            self._stop("removed")
        elif kind == "seen" and not self.admitted:
            self.send_to_client({"type": "seen"})
        elif kind == "admit" and not self.admitted:
            self.admitted = True
            self.send_to_client({"type": "admitted", **self.actions.ice()})
            self._publish("state")

    def _relay_signal(self, message: Message, sender: _Seen) -> None:
        if not (self.admitted and sender.admitted and message.get("to") == self.me.pid):
            return
        if message.get("toSid") not in (None, self.sid):
            return  # meant for an earlier page of this participant
        data = message.get("data")
        if not isinstance(data, dict):
            return
        self.send_to_client(
            {"type": "signal", "from": sender.member.pid, "fromSid": sender.sid, "data": data}
        )

    def _notify(self) -> None:
        """Tell the browser what changed in the part of the roster it may see."""
        if self.me.host:
            waiting = sorted(
                (s for s in self._roster.values() if not s.admitted), key=lambda s: s.member.pid
            )
            lobby = [
                {"pid": s.member.pid, "name": s.member.name, "kind": s.member.kind} for s in waiting
            ]
            if lobby != self._lobby:
                self._lobby = lobby
                self.send_to_client({"type": "lobby", "waiting": lobby})
        if not self.admitted:
            present = any(s.member.host for s in self._roster.values())
            if present != self._host_present:
                self._host_present = present
                self.send_to_client({"type": "host-present", "present": present})
            return
        peers = {
            conn: s
            for conn, s in self._roster.items()
            if s.admitted and s.member.pid != self.me.pid
        }
        for conn in list(self._announced):
            if conn not in peers:
                pid, sid = self._announced.pop(conn)
                self.send_to_client({"type": "peer-left", "pid": pid, "sid": sid})
        for conn, s in peers.items():
            if conn not in self._announced:
                self._announced[conn] = (s.member.pid, s.sid)
                self.send_to_client({"type": "peer-joined", "sid": s.sid, **asdict(s.member)})
