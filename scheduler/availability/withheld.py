"""Which professionals' times are withheld because their calendar feed is stale.

A professional with an external calendar feed that was read once but not successfully
within ``FEED_STALE_HOURS`` since may be busy at times Etäaika cannot see (a feed never
read withholds nothing: ``withholds``).
Offering such a time is the worse error, so by default their times are withheld until
the feed answers again. An organisation may choose "warn" instead
(``Organisation.settings["calendar_feed_stale_policy"]``, default from
``FEED_STALE_POLICY``): then the times stay bookable and the admin page warns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import CalendarFeed, Organisation, Professional

# The settings of staleness (``ETAAIKA_FEED_STALE_*``), with the rest of calendar sync's
# in ``scheduler.ical.settings``.
STALE_DEFAULTS: dict[str, Any] = {
    "FEED_STALE_HOURS": 24,  # a feed not read successfully for this long is stale
    "FEED_STALE_POLICY": "withhold",  # or "warn"; an organisation's settings may override
}
# Key in Organisation.settings that overrides FEED_STALE_POLICY for one organisation.
ORG_POLICY_KEY = "calendar_feed_stale_policy"


def _setting(name: str) -> Any:
    return current_app.config.get(name, STALE_DEFAULTS[name])


def stale_policy(organisation: Organisation) -> str:
    """ "withhold" (default) or "warn": what a stale feed does to the worker's times."""
    return _policy(organisation.settings)


def _policy(settings: dict[str, Any] | None) -> str:
    chosen = (settings or {}).get(ORG_POLICY_KEY) or _setting("FEED_STALE_POLICY")
    return "warn" if chosen == "warn" else "withhold"


def is_stale(last_success_at: datetime | None, now: datetime) -> bool:
    """A feed that never answered, or not within FEED_STALE_HOURS, is stale."""
    limit = timedelta(hours=float(_setting("FEED_STALE_HOURS")))
    return last_success_at is None or last_success_at < now - limit


def withholds(last_success_at: datetime | None, now: datetime) -> bool:
    """Whether a feed hides its worker's times under the "withhold" policy: only one that
    was read once and then went stale. A feed never read (new, or a mistyped address
    the administrator was shown at once) withholds nothing: hiding a worker for a typo
    would be the worse surprise."""
    return last_success_at is not None and is_stale(last_success_at, now)


def withheld_professionals(professional_ids: Sequence[int]) -> set[int]:
    """Professionals whose times must not be offered now."""
    if not professional_ids:
        return set()
    now = now_utc()
    rows = db.session.execute(
        select(CalendarFeed.professional_id, CalendarFeed.last_success_at, Organisation.settings)
        .join(Professional, Professional.id == CalendarFeed.professional_id)
        .join(Organisation, Organisation.id == Professional.organisation_id)
        .where(CalendarFeed.professional_id.in_(list(professional_ids)))
    )
    withheld: set[int] = set()
    for professional_id, last_success_at, settings in rows:
        if _policy(settings) == "withhold" and withholds(last_success_at, now):
            withheld.add(professional_id)
    return withheld
