"""The video pages, the signalling socket and the connection test."""

from __future__ import annotations

import contextlib
import json
import logging
import socket as py_socket
import threading
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from simple_websocket import ConnectionClosed, Server

from scheduler.extensions import csrf, db, limiter, sock
from scheduler.kernel import now_utc
from video import rooms
from video.hub import Hub, make_hub
from video.links import issue_ticket, join_url, read_host_link, read_ticket
from video.media import Busy, run_connection_test
from video.models import Kind, Participant, Room
from video.signalling import Connection, Member
from video.texts import texts_for
from video.turn import ice_servers, url_list

log = logging.getLogger(__name__)

SILENCE_LIMIT_S = 60
MAX_MESSAGE_BYTES = 64 * 1024

bp = Blueprint("video", __name__, url_prefix="/video")
csrf.exempt(bp)  # no cookie authenticates anything here: the secret is in the path or body


def _public_limit() -> str:
    return str(current_app.config.get("RATELIMIT_PUBLIC", "30 per minute"))


_hub_lock = threading.Lock()


def hub() -> Hub:
    """The app's signalling hub, made on first use (tests build many apps that never call)."""
    with _hub_lock:  # two first sockets at once must not make two hubs
        state: dict[str, Any] = current_app.extensions.setdefault("etaaika_video", {})
        if "hub" not in state:
            state["hub"] = make_hub(current_app.config)
        return state["hub"]


HostPageHook = Callable[[Room, Participant], None]


def on_host_page(app: Flask, hook: HostPageHook) -> None:
    """Have ``hook(room, host)`` called whenever a host's call page is shown (the booked
    worker's, or a colleague's who joins as a host). The page names the family, so the core
    registers its access-log row here (this package does not import the core's audit
    module)."""
    state: dict[str, Any] = app.extensions.setdefault("etaaika_video", {})
    state.setdefault("host_page_hooks", []).append(hook)


def _host_page_shown(room: Room, host: Participant) -> None:
    state: dict[str, Any] = current_app.extensions.get("etaaika_video", {})
    for hook in state.get("host_page_hooks", []):
        hook(room, host)


def _unknown_link() -> ResponseReturnValue:
    """No room behind the link: the page names no organisation (a neutral name)."""
    return render_template(
        "video/unavailable.html", reason="unknown", opens_at=None, texts=texts_for(g.lang)
    ), 404


def _page(participant: Participant, host: bool, token: str = "") -> ResponseReturnValue:
    """The one call page: pre-call check, waiting room and call, as stages of one page
    so that the camera permission and stream carry from one stage to the next."""
    now = now_utc()
    state = rooms.can_enter(participant, current_app.config, now)
    if state == "early":
        # Before the window: the pre-call check alone, at any time; the room stays shut.
        return _call_page(participant, host, check_only=True)
    if state != "open":
        opens_at = rooms.window(participant.room, current_app.config).opens_at
        # Only the signed link of the agenda reopens (a colleague's secret link does not).
        reopen = bool(token) and rooms.can_reopen(participant.room, current_app.config, now)
        return render_template(
            "video/unavailable.html",
            reason=state,
            opens_at=opens_at,
            texts=texts_for(g.lang),
            room=participant.room,  # the organisation's name, as on the call page
            reopen_url=url_for("video.reopen", token=token) if reopen else None,
        ), (403 if state == "early" else 410)
    if host:
        _host_page_shown(participant.room, participant)
    return _call_page(participant, host)


def _call_page(participant: Participant, host: bool, check_only: bool = False) -> str:
    """The call page; ``check_only``: its pre-call check alone (before the join window),
    whose ticket opens the connection test but not the signalling socket."""
    room = participant.room
    ticket = issue_ticket(current_app.config["SECRET_KEY"], room.id, participant.id)
    texts = texts_for(g.lang)
    return render_template(
        "video/call.html",
        texts=texts,
        texts_json=json.dumps(texts),
        ticket=ticket,
        host=host,
        participant=participant,
        room=room,
        stun_urls=url_list(current_app.config.get("STUN_URLS")),
        check_only=check_only,
        opens_at=rooms.window(room, current_app.config).opens_at,
    )


@bp.get("/join/<secret>")
@limiter.limit(_public_limit)
def join(secret: str) -> ResponseReturnValue:
    """A secret link: the family's, another parent's, an interpreter's, a guest's, or a
    colleague's (who joins as a host)."""
    participant = rooms.find_by_secret(secret)
    if participant is None:
        return _unknown_link()
    return _page(participant, host=participant.is_host)


@bp.get("/host/<token>")
@limiter.limit(_public_limit)
def host(token: str) -> ResponseReturnValue:
    """The worker's signed link from the agenda."""
    ids = read_host_link(current_app.config["SECRET_KEY"], token)
    if ids is None:
        return _unknown_link()
    participant = db.session.get(Participant, ids[1])
    if participant is None or not participant.is_host or participant.room_id != ids[0]:
        return _unknown_link()
    return _page(participant, host=True, token=token)


@bp.post("/host/<token>/reopen")
@limiter.limit(_public_limit)
def reopen(token: str) -> ResponseReturnValue:
    """The worker opens an ended meeting again, while its join window is open."""
    ids = read_host_link(current_app.config["SECRET_KEY"], token)
    if ids is None:
        return _unknown_link()
    participant = db.session.get(Participant, ids[1])
    if participant is None or not participant.is_host or participant.room_id != ids[0]:
        return _unknown_link()
    rooms.reopen(participant.room, current_app.config, now_utc())
    return redirect(url_for("video.host", token=token), 303)


def _ticket_participant(ticket: str, early_too: bool = False) -> Participant | None:
    """The ticket's participant while the room lets them in (``early_too``: or before
    that, for the connection test), else None."""
    ids = read_ticket(current_app.config["SECRET_KEY"], ticket)
    if ids is None:
        return None
    participant = db.session.get(Participant, ids[1])
    if participant is None or participant.room_id != ids[0]:
        return None
    allowed = ("open", "early") if early_too else ("open",)
    if rooms.can_enter(participant, current_app.config, now_utc()) not in allowed:
        return None
    return participant


@bp.post("/check/<ticket>")
@limiter.limit(_public_limit)
def connection_test(ticket: str) -> ResponseReturnValue:
    """Answer the pre-call check's offer with the server's echoing peer."""
    if _ticket_participant(ticket, early_too=True) is None:
        abort(404)
    body = request.get_json(silent=True) or {}
    sdp = body.get("sdp")
    if body.get("type") != "offer" or not isinstance(sdp, str) or len(sdp) > 20000:
        abort(400)
    try:
        answer = run_connection_test(
            sdp,
            ice_servers(current_app.config, "check", now_utc()),
            int(current_app.config.get("VIDEO_MAX_CHECKS", 4)),
        )
    except Busy:
        return jsonify({"error": {"code": "busy", "message": "Try again shortly."}}), 503
    except Exception:
        log.warning("connection test could not answer", exc_info=True)
        abort(400)
    return jsonify({"type": "answer", "sdp": answer})


class _SocketActions:
    """What the worker's socket may change, each committed at once: the socket is one long
    request, and every message of it is a unit of work of its own."""

    def __init__(self, room_id: int, pid: int) -> None:
        self.room_id = room_id
        self.pid = pid
        self.config = current_app.config

    def _room(self) -> Room:
        room = db.session.get(Room, self.room_id)
        assert room is not None
        return room

    def _other(self, pid: int) -> Participant | None:
        other = db.session.get(Participant, pid)
        if other is None or other.room_id != self.room_id or other.is_host:
            return None
        return other

    def admit(self, pid: int) -> bool:
        try:
            other = self._other(pid)
            if other is None or other.removed_at is not None:
                return False
            rooms.admit(other)
            db.session.commit()
            return True
        finally:
            db.session.rollback()

    def remove(self, pid: int) -> bool:
        try:
            other = self._other(pid)
            if other is None:
                return False
            rooms.remove(other)
            db.session.commit()
            return True
        finally:
            db.session.rollback()

    def end(self) -> None:
        try:
            rooms.end(self._room())
            db.session.commit()
        finally:
            db.session.rollback()

    def invite(self, kind: str) -> str | None:
        try:
            guest_kind = Kind(kind)
            names = texts_for(g.lang)
            participant = rooms.add_participant(
                self.config["SECRET_KEY"], self._room(), guest_kind, names[f"kind_{kind}"]
            )
            secret = rooms.link_secret(self.config["SECRET_KEY"], participant)
            db.session.commit()
        except (ValueError, KeyError, rooms.RoomFull):
            return None
        finally:
            db.session.rollback()
        return join_url(str(self.config["PUBLIC_URL"]), secret)

    def ice(self) -> dict[str, Any]:
        return {
            "iceServers": ice_servers(self.config, str(self.pid), now_utc()),
            "iceTransportPolicy": "relay" if self.config.get("VIDEO_FORCE_RELAY") else "all",
        }


@sock.route("/ws/<ticket>", bp=bp)
def socket(ws: Server, ticket: str) -> None:
    """The signalling socket of one participant's page."""
    participant = _ticket_participant(ticket)
    if participant is None:
        ws.close(reason=4404, message="unknown")
        return
    pid = participant.id
    # Never hold a transaction (on SQLite: the write lock) for the life of a socket.
    db.session.rollback()
    first = _receive(ws, timeout=15)
    if first is None or first.get("type") != "hello":
        return
    member, room_id, admitted = _joining(pid, first.get("name"))

    # The hub's thread and this one both send; the socket's compressor is not thread-safe.
    send_lock = threading.Lock()

    def send(message: dict[str, Any]) -> None:
        try:
            with send_lock:
                ws.send(json.dumps(message))
        except (ConnectionClosed, OSError):
            pass

    def close() -> None:
        try:
            with send_lock:
                ws.close()
        except (ConnectionClosed, OSError):
            pass

    connection = Connection(
        hub=hub(),
        room_id=room_id,
        me=member,
        admitted=admitted,
        actions=_SocketActions(room_id, member.pid),
        send_to_client=send,
        close_client=close,
    )
    connection.open(str(first.get("sid", "")))
    try:
        while ws.connected:
            # The page pings every 20 s; silence means a vanished phone, not a quiet one.
            raw = ws.receive(timeout=SILENCE_LIMIT_S)
            if raw is None:
                break
            message = _parse(raw)
            if message is not None:
                connection.on_client(message)
    except ConnectionClosed:
        pass
    finally:
        connection.close()
        close()
        # Let the closing handshake finish, then shut the socket: the development server
        # would otherwise write an HTTP response into what the browser still reads as a
        # WebSocket ("Invalid frame header").
        ws.thread.join(timeout=2)
        with contextlib.suppress(OSError):
            ws.sock.shutdown(py_socket.SHUT_RDWR)


def _joining(pid: int, chosen_name: Any) -> tuple[Member, int, bool]:
    """The member a socket speaks for, under the display name they chose on the page
    (kept, so that it stays the same after a reload), with the room and whether they are
    admitted; commits at once."""
    try:
        participant = db.session.get(Participant, pid)
        assert participant is not None
        if rooms.rename(participant, chosen_name if isinstance(chosen_name, str) else ""):
            db.session.commit()
        member = Member(
            pid=participant.id,
            name=participant.display_name,
            kind=participant.kind,
            host=participant.is_host,
        )
        return member, participant.room_id, participant.admitted
    finally:
        db.session.rollback()


def _receive(ws: Server, timeout: float | None) -> dict[str, Any] | None:
    raw = ws.receive(timeout=timeout)
    return None if raw is None else _parse(raw)


def _parse(raw: str | bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


@bp.record_once
def _configure(state: Any) -> None:
    # No protocol pings: the library would send them from its own thread, racing ours.
    state.app.config.setdefault("SOCK_SERVER_OPTIONS", {"max_message_size": MAX_MESSAGE_BYTES})
