"""Which professionals' times are withheld because their calendar feed is stale.

A professional with an external calendar feed that was read once but not successfully
within ``FEED_STALE_HOURS`` since may be busy at times Etäaika cannot see (a feed never
read withholds nothing: ``scheduler.ical.staleness.withholds``).
Offering such a time is the worse error, so by default their times are withheld until
the feed answers again. An organisation may choose "warn" instead
(``Organisation.settings["calendar_feed_stale_policy"]``, default from
``FEED_STALE_POLICY``): then the times stay bookable and the admin page warns.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.ical.settings import ORG_POLICY_KEY, setting
from scheduler.ical.staleness import withholds
from scheduler.kernel import now_utc
from scheduler.models import CalendarFeed, Organisation, Professional


def withheld_professionals(professional_ids: Sequence[int]) -> set[int]:
    """Professionals whose times must not be offered now."""
    if not professional_ids:
        return set()
    now = now_utc()
    default_policy = setting("FEED_STALE_POLICY")
    rows = db.session.execute(
        select(CalendarFeed.professional_id, CalendarFeed.last_success_at, Organisation.settings)
        .join(Professional, Professional.id == CalendarFeed.professional_id)
        .join(Organisation, Organisation.id == Professional.organisation_id)
        .where(CalendarFeed.professional_id.in_(list(professional_ids)))
    )
    withheld: set[int] = set()
    for professional_id, last_success_at, settings in rows:
        policy = (settings or {}).get(ORG_POLICY_KEY) or default_policy
        if policy != "warn" and withholds(last_success_at, now):
            withheld.add(professional_id)
    return withheld
