"""Interpreters: the organisation's list of interpreters, and a family's request for one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.kernel import UTCDateTime
from scheduler.models.booking import Booking


class Interpreter(db.Model):  # type: ignore[name-defined]
    """An interpreter the organisation works with (kept by its administrators)."""

    __tablename__ = "interpreters"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # ISO 639 codes of the languages interpreted (ar, so, ru, se, fa, uk, …).
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InterpreterRequest(db.Model):  # type: ignore[name-defined]
    """A family asked for an interpreter of ``language`` for a booking; open until an
    interpreter is added as a participant (``filled_at``)."""

    __tablename__ = "interpreter_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), unique=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When the worker was told that the request was still open close to the meeting.
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship()

    @property
    def is_open(self) -> bool:
        return self.filled_at is None
