"""Settings of calendar sync, read from the app config (``ETAAIKA_FEED_*``) with defaults."""

from __future__ import annotations

from typing import Any

from flask import current_app

from scheduler.availability.withheld import STALE_DEFAULTS

DEFAULTS: dict[str, Any] = {
    "FEED_POLL_MINUTES": 15,  # how often each external feed is fetched
    "FEED_FULL_REFRESH_HOURS": 24,  # unconditional fetch so the window moves forward
    "FEED_WEEKS": 26,  # busy times are stored for this many weeks ahead
    "FEED_TIMEOUT_SECONDS": 15,  # the whole fetch, connection to last byte
    "FEED_MAX_BYTES": 10 * 1024 * 1024,
    "FEED_MAX_INTERVALS": 50_000,
    "FEED_BATCH": 50,  # feeds claimed by one run of the poll job
    **STALE_DEFAULTS,  # FEED_STALE_HOURS, FEED_STALE_POLICY: what withholds a worker
    "FEED_RATELIMIT": "300 per minute",  # GET /feeds/<token>.ics per client address
    "FEED_CANCELLED_DAYS": 30,  # cancelled bookings stay in the export this long
    "FEED_PAST_DAYS": 30,  # past bookings stay in the export this long
    # Feeds are read from public internet addresses only; true allows internal ones too
    # (not link-local), a list of CIDRs allows exactly those networks (address_guard.py).
    "FEED_ALLOW_PRIVATE": False,
}


def setting(name: str) -> Any:
    """``app.config[name]`` or its default here."""
    return current_app.config.get(name, DEFAULTS[name])
