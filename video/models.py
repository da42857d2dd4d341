"""Rooms and their participants.

A room belongs to one video booking; the booking domain hands over only plain values
(its id, organisation, start and end), so this package never imports the scheduler's models.
Participant links are secret and kept only as hashes.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.kernel import UTCDateTime, enum_column


class Kind(enum.StrEnum):
    """Who a participant is. Professionals (the booked worker and colleagues) are hosts;
    everyone else (the family, the other parent, an interpreter, a guest from outside, such
    as a school nurse) waits until a host admits them."""

    WORKER = "worker"
    FAMILY = "family"
    PARENT = "parent"
    INTERPRETER = "interpreter"
    COLLEAGUE = "colleague"
    GUEST = "guest"


GUEST_KINDS = (Kind.PARENT, Kind.INTERPRETER, Kind.COLLEAGUE, Kind.GUEST)
HOST_KINDS = (Kind.WORKER, Kind.COLLEAGUE)
# Two parents, an interpreter and up to three professionals. Each browser of a mesh sends
# its picture to every other one; the pages lower what they send as the call grows
# (static/video/mesh.js), and benchmarks/call_setup.py measures what six cost.
MAX_PARTICIPANTS = 6
# A name one chooses for the call (shown to the others instead of any contact details).
MAX_DISPLAY_NAME = 60


class Room(db.Model):  # type: ignore[name-defined]
    __tablename__ = "video_rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), unique=True
    )
    organisation_id: Mapped[int] = mapped_column(Integer, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The booking was cancelled: its links say so, and the room cannot be reopened.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participants: Mapped[list[Participant]] = relationship(
        back_populates="room", order_by="Participant.id", cascade="all, delete-orphan"
    )


class Participant(db.Model):  # type: ignore[name-defined]
    __tablename__ = "video_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(
        ForeignKey("video_rooms.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[Kind] = mapped_column(enum_column(Kind))
    display_name: Mapped[str] = mapped_column(String(200))
    # The link secret is HMAC(SECRET_KEY, salt): it can be made again for a reminder, yet
    # the database alone reveals nothing; only its SHA-256 is stored, for the look-up.
    # The worker's link is signed instead and has neither.
    link_salt: Mapped[str | None] = mapped_column(String(32))
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    room: Mapped[Room] = relationship(back_populates="participants")

    @property
    def is_host(self) -> bool:
        return self.kind in HOST_KINDS

    @property
    def admitted(self) -> bool:
        return self.is_host or self.admitted_at is not None
