"""Operations and queries for the admin pages: external feeds and booking-feed tokens.

Like every operation these only flush; the request that calls them commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, func, select

from scheduler.availability.versions import touching
from scheduler.availability.withheld import is_stale, stale_policy, withholds
from scheduler.extensions import db
from scheduler.ical.fetch import normalise_url
from scheduler.ical.sync import FeedRead, store_read
from scheduler.ical.texts import text
from scheduler.kernel import now_utc
from scheduler.models import (
    CalendarFeed,
    ExternalBusy,
    FeedToken,
    Professional,
    Unit,
)
from scheduler.tokens import new_token, token_hash


class FeedUrlInvalid(ValueError):
    """The address is not an http(s) or webcal address; ``code`` is a key of ical.texts."""

    code = "bad_url"


def checked_url(url: str) -> str:
    """The feed address as it will be fetched; :class:`FeedUrlInvalid` when it is none."""
    cleaned = normalise_url(url)
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(cleaned) > 2000:
        raise FeedUrlInvalid(text("bad_url", "en"))
    return cleaned


def add_feed(
    professional: Professional,
    url: str,
    label: str | None = None,
    first_read: FeedRead | None = None,
) -> CalendarFeed:
    """Connect an external calendar feed to ``professional``, with the outcome of its first
    read when the caller made one (the admin page does, so the result shows at once);
    else the next poll reads it. Flushes."""
    cleaned = checked_url(url)
    now = now_utc()
    feed = CalendarFeed(
        professional_id=professional.id,
        url=cleaned,
        label=(label or "").strip()[:200] or None,
        created_at=now,
        report={},
        consecutive_failures=0,
    )
    db.session.add(feed)
    db.session.flush()
    if first_read is not None:
        feed.last_attempt_at = now
        store_read(feed, first_read, now)
    return feed


def remove_feed(feed: CalendarFeed) -> None:
    """Disconnect a feed and forget the busy times it gave."""
    db.session.execute(
        touching(
            delete(ExternalBusy).where(ExternalBusy.feed_id == feed.id), [feed.professional_id]
        )
    )
    db.session.delete(feed)
    db.session.flush()


def request_refresh(feed: CalendarFeed) -> None:
    """Have the next run of the poll job (within a minute) fetch ``feed`` unconditionally."""
    feed.last_attempt_at = None
    feed.last_imported_at = None
    db.session.flush()


def masked_url(url: str) -> str:
    """The address with its secret parts hidden: scheme, host and the path's last 4 characters."""
    parts = urlsplit(url)
    tail = (parts.path + ("?" + parts.query if parts.query else ""))[-4:]
    return f"{parts.scheme}://{parts.hostname or ''}/…{tail}"


@dataclass(frozen=True)
class FeedStatus:
    """What the admin page shows about one external feed, already in plain words."""

    id: int
    label: str | None
    masked_url: str
    state: str  # "ok" | "error" (last try failed, data still fresh) | "stale" | "never"
    message: str  # plain words in the asked language; "" when all is well
    withheld: bool  # the worker's times are not offered because of this feed
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    busy_count: int
    problems: list[tuple[str, int]] = field(default_factory=list)  # (plain words, count)
    error_detail: str | None = None  # technical detail for support, not for the page body


def feed_statuses(professional_id: int, lang: str = "fi") -> list[FeedStatus]:
    """The state of each external feed of a professional, for the admin page."""
    professional = db.session.get(Professional, professional_id)
    if professional is None:
        return []
    policy = stale_policy(professional.organisation)
    now = now_utc()
    counts = dict(
        db.session.execute(
            select(ExternalBusy.feed_id, func.count())
            .where(ExternalBusy.professional_id == professional_id, ExternalBusy.end_at > now)
            .group_by(ExternalBusy.feed_id)
        ).all()
    )
    statuses: list[FeedStatus] = []
    feeds = db.session.scalars(
        select(CalendarFeed)
        .where(CalendarFeed.professional_id == professional_id)
        .order_by(CalendarFeed.id)
    )
    for feed in feeds:
        stale = is_stale(feed.last_success_at, now)
        if feed.last_success_at is None:
            state = "never"
            message = (
                text(feed.last_error, lang) if feed.last_error else text("never_fetched", lang)
            )
        elif stale:
            state = "stale"
            message = text("stale" if policy == "withhold" else "stale_warn", lang)
            if feed.last_error:
                message = f"{message} {text(feed.last_error, lang)}"
        elif feed.last_error:
            state, message = "error", text(feed.last_error, lang)
        else:
            state, message = "ok", ""
        problems = [
            (text(code, lang), int(count))
            for code, count in sorted((feed.report or {}).get("problems", {}).items())
        ]
        statuses.append(
            FeedStatus(
                id=feed.id,
                label=feed.label,
                masked_url=masked_url(feed.url),
                state=state,
                message=message,
                withheld=withholds(feed.last_success_at, now) and policy == "withhold",
                last_success_at=feed.last_success_at,
                last_attempt_at=feed.last_attempt_at,
                busy_count=int(counts.get(feed.id, 0)),
                problems=problems,
                error_detail=feed.last_error_detail,
            )
        )
    return statuses


@dataclass(frozen=True)
class TroubledFeed:
    """A feed that is not being read as it should, with whose it is."""

    professional_id: int
    professional_name: str
    status: FeedStatus


def troubled_feeds(professionals: Sequence[Professional], lang: str = "fi") -> list[TroubledFeed]:
    """Every feed of ``professionals`` that failed, went stale or was never read."""
    with_feeds = set(
        db.session.scalars(
            select(CalendarFeed.professional_id).where(
                CalendarFeed.professional_id.in_([p.id for p in professionals])
            )
        )
    )
    return [
        TroubledFeed(pro.id, pro.name, status)
        for pro in professionals
        if pro.id in with_feeds
        for status in feed_statuses(pro.id, lang)
        if status.state != "ok"
    ]


def feed_url(token: str) -> str:
    """The subscribable address of a booking feed."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/feeds/{token}.ics"


def create_feed_token(
    professional: Professional | None = None, unit: Unit | None = None, language: str = "fi"
) -> tuple[FeedToken, str]:
    """A new secret booking-feed address for a professional or a unit.

    Returns the row and the full URL; the URL cannot be shown again later, since only
    the token's hash is kept.
    """
    if (professional is None) == (unit is None):
        raise ValueError("give exactly one of professional and unit")
    owner_org = professional.organisation_id if professional else unit.organisation_id  # type: ignore[union-attr]
    secret = new_token()
    row = FeedToken(
        organisation_id=owner_org,
        professional_id=professional.id if professional else None,
        unit_id=unit.id if unit else None,
        token_hash=token_hash(secret),
        language=language if language in ("fi", "sv", "en") else "fi",
        created_at=now_utc(),
    )
    db.session.add(row)
    db.session.flush()
    return row, feed_url(secret)


def revoke_feed_token(row: FeedToken) -> None:
    """Stop a booking-feed address from working; subscribed calendars get 404 from now on."""
    if row.revoked_at is None:
        row.revoked_at = now_utc()
        db.session.flush()


def active_feed_tokens(
    professional_id: int | None = None, unit_id: int | None = None
) -> list[FeedToken]:
    """The booking-feed addresses in use for a professional or a unit (no secrets in them)."""
    query = select(FeedToken).where(FeedToken.revoked_at.is_(None)).order_by(FeedToken.id)
    if professional_id is not None:
        query = query.where(FeedToken.professional_id == professional_id)
    if unit_id is not None:
        query = query.where(FeedToken.unit_id == unit_id)
    return list(db.session.scalars(query))
