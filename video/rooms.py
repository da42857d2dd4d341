"""Operations on rooms and participants. They flush and never commit: the caller's
request (or, for the signalling socket, the handling of one message) commits once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from scheduler.extensions import db
from scheduler.kernel import now_utc
from video.links import Window, secret_hash
from video.models import (
    GUEST_KINDS,
    MAX_DISPLAY_NAME,
    MAX_PARTICIPANTS,
    Kind,
    Participant,
    Room,
)


class RoomFull(Exception):
    """A room already has the most participants a mesh call can carry."""


def link_secret(secret_key: str, participant: Participant) -> str:
    """The secret of a participant's link, made again from the key and the stored salt."""
    if not participant.link_salt:
        raise ValueError("this participant joins with a signed link")
    mac = hmac.new(
        secret_key.encode(), f"etaaika-video-link:{participant.link_salt}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _give_link(secret_key: str, participant: Participant) -> None:
    participant.link_salt = secrets.token_hex(16)
    participant.link_hash = secret_hash(link_secret(secret_key, participant))


# With its participants: the caller asks for someone's link next. No autoflush: a room
# made in this session is found in the session's own list (below), and the caller's own
# changes then go out in the same flush as the new room. Built once, as a query with
# loader options costs more to build than to run.
_ROOM_WITH_PARTICIPANTS = (
    select(Room)
    .where(Room.booking_id == bindparam("booking_id"))
    .options(joinedload(Room.participants))
    .execution_options(autoflush=False)
)


def _made_here() -> dict[int, Room]:
    """Rooms made in this session, by booking: a new room is not looked up again, and it
    waits for the session's next flush (usually the commit) instead of a flush of its own."""
    made: dict[int, Room] = db.session.info.setdefault("video_rooms_made", {})
    return made


def ensure_room(
    secret_key: str,
    *,
    booking_id: int,
    organisation_id: int,
    starts_at: datetime,
    ends_at: datetime,
    family_name: str,
    worker_name: str,
    new: bool = False,
) -> Room:
    """The room of a booking, created with its worker and family on first use.

    ``new`` says the booking cannot have a room yet (it is being confirmed): the lookup
    is skipped, and the unique booking of a room stops a second one at the flush all the
    same. A moved booking moves its room's times; the links stay the same. The room and
    its participants get their ids at the session's next flush.
    """
    made = _made_here()
    room = made.get(booking_id)
    if room is not None and room not in db.session:
        room = None  # rolled back since
    if room is None and not new:
        room = (
            db.session.scalars(_ROOM_WITH_PARTICIPANTS, {"booking_id": booking_id}).unique().first()
        )
    if room is None:
        now = now_utc()
        room = Room(
            booking_id=booking_id,
            organisation_id=organisation_id,
            starts_at=starts_at,
            ends_at=ends_at,
            created_at=now,
        )
        worker = Participant(kind=Kind.WORKER, display_name=worker_name, created_at=now)
        family = Participant(kind=Kind.FAMILY, display_name=family_name, created_at=now)
        _give_link(secret_key, family)
        room.participants.extend([worker, family])
        db.session.add(room)
        made[booking_id] = room
    else:
        room.starts_at, room.ends_at = starts_at, ends_at
    return room


def participant_of(room: Room, kind: Kind) -> Participant:
    """The first participant of a kind (the worker, the family)."""
    return next(p for p in room.participants if p.kind == kind)


def active_participants(room: Room) -> list[Participant]:
    return [p for p in room.participants if p.removed_at is None]


def add_participant(secret_key: str, room: Room, kind: Kind, display_name: str) -> Participant:
    """Invite one more person (the other parent, an interpreter, a colleague, a guest). A
    colleague joins as a host; the others wait to be admitted."""
    if kind not in GUEST_KINDS:
        raise ValueError(f"cannot invite a {kind}")
    if len(active_participants(room)) >= MAX_PARTICIPANTS:
        raise RoomFull
    participant = Participant(kind=kind, display_name=display_name, created_at=now_utc())
    _give_link(secret_key, participant)
    room.participants.append(participant)
    db.session.flush()
    return participant


def clean_display_name(raw: object) -> str:
    """A display name as others will see it: printable, single-spaced, at most
    ``MAX_DISPLAY_NAME`` characters; "" when nothing usable is left."""
    if not isinstance(raw, str):
        return ""
    printable = "".join(ch if ch.isprintable() else " " for ch in raw)
    return " ".join(printable.split())[:MAX_DISPLAY_NAME].strip()


def rename(participant: Participant, display_name: str) -> bool:
    """Show the participant under the name they chose; False (and no change) when the name
    is empty once cleaned. Flushes."""
    name = clean_display_name(display_name)
    if not name:
        return False
    if name != participant.display_name:
        participant.display_name = name
        db.session.flush()
    return True


def find_by_secret(secret: str) -> Participant | None:
    """The participant whose link carries ``secret``, if it is still in use."""
    if not secret or len(secret) > 100:
        return None
    participant = db.session.scalar(
        select(Participant).where(Participant.link_hash == secret_hash(secret))
    )
    if participant is None or participant.removed_at is not None:
        return None
    return participant


def window(room: Room, config: Mapping[str, Any]) -> Window:
    """When the room's links let people in (configurable minutes around the meeting)."""
    return Window.around(
        room.starts_at,
        room.ends_at,
        int(config.get("VIDEO_JOIN_EARLY_MIN", 15)),
        int(config.get("VIDEO_JOIN_LATE_MIN", 30)),
    )


def can_enter(participant: Participant, config: Mapping[str, Any], now: datetime) -> str:
    """ "open", or why not: "early", "closed", "cancelled", "ended", "removed"."""
    if participant.removed_at is not None:
        return "removed"
    if participant.room.cancelled_at is not None:
        return "cancelled"
    if participant.room.ended_at is not None:
        return "ended"
    return window(participant.room, config).state(now)


def admit(participant: Participant) -> None:
    if participant.admitted_at is None:
        participant.admitted_at = now_utc()
    db.session.flush()


def remove(participant: Participant) -> None:
    """Send someone out: their link stops working and they cannot come back. A colleague
    (a host too) can be removed; the booked worker cannot."""
    if participant.kind == Kind.WORKER:
        raise ValueError("the worker cannot be removed")
    participant.removed_at = participant.removed_at or now_utc()
    participant.link_hash = None
    db.session.flush()


def renew_links(secret_key: str, room: Room, worker_name: str | None = None) -> None:
    """Give every participant who joins by a secret link a new one: the old links stop
    working (a booking that staff moved or gave to another worker). ``worker_name``: the
    worker who now hosts the meeting."""
    for participant in room.participants:
        if participant.link_salt:
            _give_link(secret_key, participant)
        elif worker_name is not None and participant.kind == Kind.WORKER:
            participant.display_name = worker_name


def end_for_booking(booking_id: int) -> None:
    """End the meeting of a cancelled booking, if it has a room, without loading the room:
    one UPDATE (a room already loaded in the session is updated too). Its links then say
    that the meeting was cancelled."""
    now = now_utc()
    db.session.execute(
        update(Room)
        .where(Room.booking_id == booking_id, Room.cancelled_at.is_(None))
        .values(ended_at=func.coalesce(Room.ended_at, now), cancelled_at=now)
    )


def forget_names(booking_ids: list[int]) -> None:
    """Remove the names of everyone but the worker from the rooms of these bookings (the
    retention rule), and close their links: one UPDATE."""
    if not booking_ids:
        return
    rooms_of = select(Room.id).where(Room.booking_id.in_(booking_ids))
    db.session.execute(
        update(Participant)
        .where(Participant.room_id.in_(rooms_of), Participant.kind != Kind.WORKER.value)
        .values(display_name="", link_hash=None, link_salt=None),
        execution_options={"synchronize_session": "fetch"},
    )


def end(room: Room) -> None:
    """End the meeting for everyone; every link of the room stops working (until the
    worker reopens it, see :func:`can_reopen`)."""
    room.ended_at = room.ended_at or now_utc()
    db.session.flush()


def can_reopen(room: Room, config: Mapping[str, Any], now: datetime) -> bool:
    """An ended meeting, not cancelled, whose join window has not closed yet."""
    return (
        room.ended_at is not None
        and room.cancelled_at is None
        and window(room, config).state(now) == "open"
    )


def reopen(room: Room, config: Mapping[str, Any], now: datetime) -> bool:
    """Open an ended meeting again, so that every link works as before; False when it
    cannot be (see :func:`can_reopen`). Flushes."""
    if not can_reopen(room, config, now):
        return False
    room.ended_at = None
    db.session.flush()
    return True
