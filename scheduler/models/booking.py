"""Bookings: a held or confirmed time of one professional for one family."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.kernel import UTCDateTime, enum_column

if TYPE_CHECKING:
    from scheduler.models.organisation import Organisation
    from scheduler.models.service import Professional, Service


class BookingStatus(enum.StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    EXPIRED = "expired"


# A booking in one of these states occupies the professional's time.
ACTIVE_STATUSES = (BookingStatus.HELD, BookingStatus.CONFIRMED)
_STATUS_LIST = ", ".join(f"'{s.value}'" for s in BookingStatus)
_ACTIVE_LIST = ", ".join(f"'{s.value}'" for s in ACTIVE_STATUSES)


class Booking(db.Model):  # type: ignore[name-defined]
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_LIST})", name="status_known"),
        CheckConstraint("start_at < end_at", name="start_before_end"),
        CheckConstraint(
            "block_start_at <= start_at AND end_at <= block_end_at", name="block_covers_meeting"
        ),
        Index("ix_bookings_professional_block", "professional_id", "block_start_at"),
        # The database itself refuses two active bookings of one professional whose
        # blocked times (buffers included) overlap. SQLite has no such constraint;
        # there every write transaction is serialised (BEGIN IMMEDIATE) instead.
        ExcludeConstraint(
            ("professional_id", "="),
            (text("tstzrange(block_start_at, block_end_at, '[)')"), "&&"),
            using="gist",
            where=text(f"status IN ({_ACTIVE_LIST})"),
            name="bookings_no_overlap",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True)  # iCalendar UID, stable
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    professional_id: Mapped[int] = mapped_column(ForeignKey("professionals.id"))
    # A team meeting is one lead booking (the client's data, messages, manage link) and one
    # companion row per further professional: same times and status, no client data, so
    # that bookings_no_overlap refuses an overlap for every professional of the team.
    lead_booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    block_start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    block_end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[BookingStatus] = mapped_column(
        enum_column(BookingStatus), default=BookingStatus.HELD, index=True
    )
    meeting_mode: Mapped[str] = mapped_column(String(16), default="video")
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Client data: removed by the retention job, see scheduler/booking/retention.py.
    client_name: Mapped[str | None] = mapped_column(String(200))
    client_email: Mapped[str | None] = mapped_column(String(255))
    client_phone: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="fi")
    intake_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    identity_subject: Mapped[str | None] = mapped_column(String(255))
    identity_name: Mapped[str | None] = mapped_column(String(200))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language spoken in the meeting, when it differs from that of the messages.
    meeting_language: Mapped[str | None] = mapped_column(String(8))
    # A booking a worker made for the family (who and when are in the access log).
    booked_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    # How a worker checked the client's identity in person, for a service that requires
    # strong identification (the family may still identify later through its link).
    identity_check: Mapped[str | None] = mapped_column(String(32))
    # The follow-up series the booking belongs to (each meeting is an ordinary booking).
    series_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # Booked outside the worker's weekly hours on purpose (an evening for a working parent).
    outside_hours: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # iCalendar SEQUENCE: grows with every change that a calendar should see.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(16))  # client | staff | system
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    personal_data_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first client said they will not take part, while another client still does
    # (the meeting goes on without them; see scheduler/booking/participants.py).
    client_left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    service: Mapped[Service] = relationship()
    professional: Mapped[Professional] = relationship()
    companions: Mapped[list[Booking]] = relationship(
        foreign_keys=[lead_booking_id], order_by="Booking.professional_id"
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES
