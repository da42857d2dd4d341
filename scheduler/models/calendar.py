"""Calendar sync: feeds read from workers' own calendars, their busy times, and the
secret tokens of the booking feeds that Etäaika publishes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import db
from scheduler.kernel import UTCDateTime


class ExternalBusy(db.Model):  # type: ignore[name-defined]
    """One busy interval from a professional's own calendar. It blocks availability."""

    __tablename__ = "external_busy"
    __table_args__ = (Index("ix_external_busy_professional_start", "professional_id", "start_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    professional_id: Mapped[int] = mapped_column(ForeignKey("professionals.id", ondelete="CASCADE"))
    # The feed it came from; None for busy times entered by other means.
    feed_id: Mapped[int | None] = mapped_column(index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source_uid: Mapped[str | None] = mapped_column(String(255))


class CalendarFeed(db.Model):  # type: ignore[name-defined]
    """An external iCalendar feed (Outlook, Google, Nextcloud) of one professional.

    ``url`` is kept as given: it is needed to fetch, so it cannot be hashed. Google's
    "secret address" is a secret; show it masked (``scheduler.ical.manage.masked_url``).
    """

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    professional_id: Mapped[int] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # HTTP validators of the last good answer, sent back as If-None-Match / If-Modified-Since.
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The feed answered (200 or 304) and its busy times are current as of this instant.
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The stored busy times were last rebuilt from a full download at this instant.
    last_imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A code of scheduler.ical.texts (plain words in fi/sv/en) and a technical detail.
    last_error: Mapped[str | None] = mapped_column(String(40))
    last_error_detail: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    # What was repaired or skipped in the last import: {"problems": {code: count},
    # "examples": [...], "events": n, "busy": n}.
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FeedToken(db.Model):  # type: ignore[name-defined]
    """A revocable secret for the booking feed of one professional or one unit.

    Only the SHA-256 of the token is stored; the feed URL is shown once when it is made.
    """

    __tablename__ = "feed_tokens"
    __table_args__ = (
        CheckConstraint("(professional_id IS NULL) <> (unit_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    professional_id: Mapped[int | None] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8), default="fi")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
