"""The outbox: one row per message to send, written in the transaction of the change
that caused it, so that only committed changes are ever told to anyone."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import db
from scheduler.kernel import UTCDateTime, enum_column


class Status(enum.StrEnum):
    PENDING = "pending"  # waiting for its time (or for its next attempt)
    SENDING = "sending"  # claimed by a dispatcher until ``lease_until``
    SENT = "sent"
    FAILED = "failed"  # gave up: shown to staff
    CANCELLED = "cancelled"  # the booking changed so that the message is no longer wanted


class ChannelKind(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


_STATUSES = ", ".join(f"'{s.value}'" for s in Status)
_CHANNELS = ", ".join(f"'{c.value}'" for c in ChannelKind)


class OutboxMessage(db.Model):  # type: ignore[name-defined]
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
        CheckConstraint(f"channel IN ({_CHANNELS})", name="channel_known"),
        # The dispatcher's claim: due pending rows, and sending rows whose lease ran out.
        Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A plain id (no foreign key): this package does not depend on the scheduler's tables.
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(255))
    template: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    # Plain values the template needs, already formatted for the recipient's language.
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Secret values (the manage link) encrypted with a key derived from SECRET_KEY. They
    # stay as long as the row: a later change notice of the booking reuses them.
    sealed: Mapped[str | None] = mapped_column(Text)
    # Messages of one booking share a group ("booking:<uid>") so that its pending
    # reminders can be cancelled or re-timed together.
    group_key: Mapped[str | None] = mapped_column(String(160), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    # Reminders only: how long before ``event_at`` they go out (re-timing needs it).
    before_min: Mapped[int | None] = mapped_column(Integer)
    event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Past this instant the message is pointless (a reminder after the meeting began).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
