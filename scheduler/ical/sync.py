"""The feed poll job: fetch due external feeds and store their busy times.

Unlike request code, this job commits by itself, in short transactions: claiming due
feeds, then one transaction per feed to store its result. The network fetch and the
parsing happen with no transaction open, because on SQLite every transaction holds
the database's write lock (BEGIN IMMEDIATE) and a slow calendar server must not stop
bookings. Claiming uses ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and moves
``last_attempt_at`` forward, so two runs at once never fetch the same feed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, or_, select

from scheduler.availability.versions import touching
from scheduler.database import is_postgres
from scheduler.extensions import db
from scheduler.ical.address_guard import AddressPolicy
from scheduler.ical.busy import ImportResult, read_busy
from scheduler.ical.fetch import FetchResult, fetch_feed
from scheduler.ical.settings import setting
from scheduler.ical.stale_notice import notify_if_stale
from scheduler.kernel import now_utc
from scheduler.models import CalendarFeed, ExternalBusy, Organisation, Professional

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedRead:
    """One fetch of a feed and, when it brought a body, what was read from it."""

    fetched: FetchResult
    imported: ImportResult | None


@dataclass(frozen=True)
class _Claimed:
    feed_id: int
    url: str
    etag: str | None
    last_modified: str | None
    conditional: bool
    zone: str


def poll_feeds() -> int:
    """Fetch every feed that is due and store its busy times. Returns how many were fetched."""
    now = now_utc()
    claimed = _claim_due(now)
    for item in claimed:
        refresh_claimed(item, now)
    return len(claimed)


def refresh_feed(feed_id: int) -> None:
    """Fetch one feed now, whether due or not (CLI, tests). Commits like the job."""
    now = now_utc()
    for item in _claim(now, [CalendarFeed.id == feed_id], limit=1):
        refresh_claimed(item, now)


def _claim_due(now: datetime) -> list[_Claimed]:
    due_before = now - timedelta(minutes=int(setting("FEED_POLL_MINUTES")))
    condition = or_(
        CalendarFeed.last_attempt_at.is_(None), CalendarFeed.last_attempt_at <= due_before
    )
    return _claim(now, [condition], limit=int(setting("FEED_BATCH")))


def _claim(now: datetime, conditions: list[object], limit: int) -> list[_Claimed]:
    query = (
        select(CalendarFeed, Organisation.timezone)
        .join(Professional, Professional.id == CalendarFeed.professional_id)
        .join(Organisation, Organisation.id == Professional.organisation_id)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(CalendarFeed.last_attempt_at.is_not(None), CalendarFeed.last_attempt_at)
        .limit(limit)
    )
    if is_postgres():
        query = query.with_for_update(skip_locked=True, of=CalendarFeed)
    full_before = now - timedelta(hours=int(setting("FEED_FULL_REFRESH_HOURS")))
    claimed: list[_Claimed] = []
    for feed, zone in db.session.execute(query).all():
        feed.last_attempt_at = now
        conditional = feed.last_imported_at is not None and feed.last_imported_at > full_before
        claimed.append(
            _Claimed(feed.id, feed.url, feed.etag, feed.last_modified, conditional, zone)
        )
    # Plain values were copied above: no transaction stays open during the fetches.
    db.session.commit()
    return claimed


def read_feed(
    url: str,
    zone: str,
    now: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FeedRead:
    """Fetch and parse a feed: network and CPU only, never the database, so that the
    caller holds no transaction open meanwhile."""
    fetched = fetch_feed(
        url,
        etag,
        last_modified,
        timeout=float(setting("FEED_TIMEOUT_SECONDS")),
        max_bytes=int(setting("FEED_MAX_BYTES")),
        policy=AddressPolicy.from_setting(setting("FEED_ALLOW_PRIVATE")),
    )
    imported: ImportResult | None = None
    if fetched.body is not None:
        imported = read_busy(
            fetched.body,
            now - timedelta(days=1),
            now + timedelta(weeks=int(setting("FEED_WEEKS"))),
            ZoneInfo(zone),
            max_intervals=int(setting("FEED_MAX_INTERVALS")),
        )
    return FeedRead(fetched, imported)


def refresh_claimed(item: _Claimed, now: datetime) -> None:
    """Fetch and parse one claimed feed outside any transaction, then store the outcome."""
    try:
        read = read_feed(
            item.url,
            item.zone,
            now,
            item.etag if item.conditional else None,
            item.last_modified if item.conditional else None,
        )
        feed = db.session.get(CalendarFeed, item.feed_id)
        if feed is not None:  # else removed while it was being fetched
            store_read(feed, read, now)
        db.session.commit()
    except Exception:
        # A bug must cost one feed one round, never the job: keep the last good data.
        log.exception("calendar feed %s could not be refreshed", item.feed_id)
        db.session.rollback()
        _record_failure(item.feed_id, "unreadable", "internal error")


def _record_failure(feed_id: int, code: str, detail: str) -> None:
    try:
        feed = db.session.get(CalendarFeed, feed_id)
        if feed is not None:
            _fail(feed, code, detail)
        db.session.commit()
    except Exception:
        log.exception("could not record the failure of calendar feed %s", feed_id)
        db.session.rollback()


def _fail(feed: CalendarFeed, code: str, detail: str) -> None:
    feed.last_error = code
    feed.last_error_detail = detail[:1000]
    feed.consecutive_failures = (feed.consecutive_failures or 0) + 1


def store_read(feed: CalendarFeed, read: FeedRead, now: datetime) -> None:
    """Record what a read of ``feed`` gave: its busy times, or why it failed. Flushes."""
    fetched, imported = read.fetched, read.imported
    if fetched.error:
        _fail(feed, fetched.error, fetched.error_detail)
        notify_if_stale(feed, now)
        return
    if fetched.not_modified:
        feed.last_success_at = now
        feed.last_error = feed.last_error_detail = None
        feed.consecutive_failures = 0
        return
    assert imported is not None
    if not imported.ok:
        # Keep the validators of the last good answer: a 304 must never bless a broken file.
        _fail(feed, imported.error or "unreadable", imported.error_detail)
        notify_if_stale(feed, now)
        return
    db.session.execute(
        touching(
            delete(ExternalBusy).where(ExternalBusy.feed_id == feed.id), [feed.professional_id]
        )
    )
    if imported.intervals:
        db.session.execute(
            touching(insert(ExternalBusy), [feed.professional_id]),
            [
                {
                    "professional_id": feed.professional_id,
                    "feed_id": feed.id,
                    "start_at": interval.start,
                    "end_at": interval.end,
                    "source_uid": interval.uid,
                }
                for interval in imported.intervals
            ],
        )
    feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    feed.last_success_at = feed.last_imported_at = now
    feed.last_error = feed.last_error_detail = None
    feed.consecutive_failures = 0
    feed.report = {
        "events": imported.events_seen,
        "busy": len(imported.intervals),
        "problems": imported.problem_counts(),
        "examples": [f"{p.code}: {p.detail}"[:200] for p in imported.problems[:10]],
    }
    db.session.flush()
