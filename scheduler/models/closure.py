"""Closure days and half days that an administrator sets for the organisation or a unit."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import db
from scheduler.kernel import UTCDateTime


class Closure(db.Model):  # type: ignore[name-defined]
    """One closed local day, or part of it, of the whole organisation (no unit) or one unit.

    Times are local wall-clock times in the organisation's zone: no ``start_time`` means
    from the start of the day, no ``end_time`` until its end (a half day sets one of them).
    """

    __tablename__ = "closures"
    __table_args__ = (
        CheckConstraint(
            "start_time IS NULL OR end_time IS NULL OR start_time < end_time",
            name="start_before_end",
        ),
        Index("ix_closures_organisation_day", "organisation_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    # Why the door is shut, shown to staff: {"fi": …, "sv": …, "en": …}.
    reason: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(String(255))

    @property
    def whole_day(self) -> bool:
        return self.start_time is None and self.end_time is None
