"""Access and use figures: nightly snapshots per service and per unit, and the families'
anonymous feedback with the one-time links that ask for it.

See ``scheduler/figures/__init__.py`` for how each figure is defined.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import db
from scheduler.kernel import UTCDateTime


class FigureScope(enum.StrEnum):
    SERVICE = "service"
    UNIT = "unit"


class FigureSnapshot(db.Model):  # type: ignore[name-defined]
    """The figures of one service or one unit on one local date.

    Two groups of columns, each filled by its own step of the nightly job:

    * access (``measured_at`` and after): measured once, early on ``day``, from the same
      slot search families see; they cannot be measured afterwards, so a past day's
      access figures are never recomputed;
    * activity (``activity_at`` and after): what happened during ``day``; recomputed on
      the following nights, because workers may mark a meeting held or missed late.

    A NULL means "not measured", never zero.
    """

    __tablename__ = "figure_snapshots"
    __table_args__ = (
        UniqueConstraint("day", "scope", "subject_id", name="uq_figure_snapshots_subject_day"),
        CheckConstraint("scope IN ('service', 'unit')", name="scope_known"),
        CheckConstraint(
            "(scope = 'unit' AND service_id IS NULL AND subject_id = unit_id) OR "
            "(scope = 'service' AND service_id IS NOT NULL AND subject_id = service_id)",
            name="subject_matches_scope",
        ),
        Index("ix_figure_snapshots_org_day", "organisation_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    day: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(8))
    # The service's id for a service row, the unit's id for a unit row.
    subject_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )

    # Access, measured at ``measured_at`` (the query instant).
    measured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    t3_days: Mapped[int | None] = mapped_column(Integer)  # NULL: no third free time found
    free_times: Mapped[int | None] = mapped_column(Integer)
    booked_times: Mapped[int | None] = mapped_column(Integer)

    # Activity during ``day``, computed at ``activity_at``.
    activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bookings: Mapped[int | None] = mapped_column(Integer)
    cancelled_by_client: Mapped[int | None] = mapped_column(Integer)
    cancelled_by_staff: Mapped[int | None] = mapped_column(Integer)
    cancelled_by_system: Mapped[int | None] = mapped_column(Integer)
    held: Mapped[int | None] = mapped_column(Integer)
    no_shows: Mapped[int | None] = mapped_column(Integer)
    unmarked: Mapped[int | None] = mapped_column(Integer)
    video: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[int | None] = mapped_column(Integer)
    feedback_count: Mapped[int | None] = mapped_column(Integer)
    feedback_sum: Mapped[int | None] = mapped_column(Integer)

    @property
    def cancellations(self) -> int | None:
        parts = (self.cancelled_by_client, self.cancelled_by_staff, self.cancelled_by_system)
        return None if self.activity_at is None else sum(p or 0 for p in parts)

    @property
    def feedback_average(self) -> float | None:
        if not self.feedback_count:
            return None
        return (self.feedback_sum or 0) / self.feedback_count


class FeedbackInvite(db.Model):  # type: ignore[name-defined]
    """The one-time feedback link of one booking (at most one per booking).

    Only the link's SHA-256 is kept. ``used`` says the link was used, not when: the
    answer itself (``Feedback``) carries no reference back, so it stays anonymous.
    """

    __tablename__ = "feedback_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), unique=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    # NULL when the family could not be reached (no e-mail or mobile number): no link exists.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class Feedback(db.Model):  # type: ignore[name-defined]
    """One family's anonymous answer: a rating 1–5 and an optional comment.

    No booking, client or time of day is stored, only the local date it was given. A
    comment may still name someone, so comments are removed after the retention period
    (the rating stays) and never leave the service in a CSV file.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),
        Index("ix_feedback_org_received", "organisation_id", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    received_on: Mapped[date] = mapped_column(Date)
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(1000))
