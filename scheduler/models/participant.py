"""Participants of a booking beyond its first client: a second parent, an interpreter,
another professional, a guest from outside. Each has their own contact details, message
language and secret manage link (stored hashed, as the booking's own)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.kernel import UTCDateTime, enum_column

if TYPE_CHECKING:
    from scheduler.models.booking import Booking


class ParticipantRole(enum.StrEnum):
    CLIENT = "client"
    INTERPRETER = "interpreter"
    PROFESSIONAL = "professional"
    GUEST = "guest"


class Attendance(enum.StrEnum):
    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


_ROLE_LIST = ", ".join(f"'{r.value}'" for r in ParticipantRole)
_ATTENDANCE_LIST = ", ".join(f"'{a.value}'" for a in Attendance)


class BookingParticipant(db.Model):  # type: ignore[name-defined]
    """One more person in a booking. The booking's own ``client_*`` fields stay its first
    client; this table holds everyone added beyond that."""

    __tablename__ = "booking_participants"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_LIST})", name="role_known"),
        CheckConstraint(f"attendance IN ({_ATTENDANCE_LIST})", name="attendance_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole))
    # Personal data: removed by the retention job, see scheduler/booking/retention.py.
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="fi")  # of their messages
    attendance: Mapped[Attendance] = mapped_column(
        enum_column(Attendance), default=Attendance.INVITED
    )
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # For role professional: which worker takes part.
    professional_id: Mapped[int | None] = mapped_column(
        ForeignKey("professionals.id", ondelete="SET NULL")
    )
    # Their own place in the video room (its link is made again from it for reminders).
    # (No foreign key: the video package's tables are its own; the room goes with the booking.)
    video_participant_id: Mapped[int | None] = mapped_column(Integer)
    added_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    personal_data_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship()

    @property
    def is_active(self) -> bool:
        """Still part of the booking (not removed by a worker)."""
        return self.removed_at is None
