"""When a calendar feed counts as stale, and what a stale feed does to its worker."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler.ical.settings import ORG_POLICY_KEY, setting
from scheduler.models import Organisation


def stale_policy(organisation: Organisation) -> str:
    """ "withhold" (default) or "warn": what a stale feed does to the worker's times."""
    chosen = (organisation.settings or {}).get(ORG_POLICY_KEY) or setting("FEED_STALE_POLICY")
    return "warn" if chosen == "warn" else "withhold"


def is_stale(last_success_at: datetime | None, now: datetime) -> bool:
    """A feed that never answered, or not within FEED_STALE_HOURS, is stale."""
    limit = timedelta(hours=float(setting("FEED_STALE_HOURS")))
    return last_success_at is None or last_success_at < now - limit


def withholds(last_success_at: datetime | None, now: datetime) -> bool:
    """Whether a feed hides its worker's times under the "withhold" policy: only one that
    was read once and then went stale. A feed never read (new, or a mistyped address
    the administrator was shown at once) withholds nothing: hiding a worker for a typo
    would be the worse surprise."""
    return last_success_at is not None and is_stale(last_success_at, now)
