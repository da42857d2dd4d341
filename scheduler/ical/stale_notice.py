"""The staff notice of a calendar feed that has gone stale: its administrators hear of
it once per stale spell (the outbox's idempotency key holds the last good read)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import or_, select

import notifications
from scheduler.availability.withheld import is_stale, stale_policy
from scheduler.extensions import db
from scheduler.models import CalendarFeed, Professional, StaffRole, StaffUser
from scheduler.web.i18n import format_date, format_time, localized

LANGUAGES = ("fi", "sv", "en")


def notify_if_stale(feed: CalendarFeed, now: datetime) -> None:
    """Queue the notice when ``feed`` was read once and has now gone stale. Flushes."""
    if feed.last_success_at is None or not is_stale(feed.last_success_at, now):
        return
    pro = db.session.get(Professional, feed.professional_id)
    if pro is None:
        return
    org = pro.organisation
    admins = db.session.scalars(
        select(StaffUser).where(
            StaffUser.organisation_id == org.id,
            StaffUser.active.is_(True),
            or_(
                StaffUser.role == StaffRole.ORG_ADMIN.value,
                (StaffUser.role == StaffRole.UNIT_ADMIN.value) & (StaffUser.unit_id == pro.unit_id),
            ),
        )
    )
    lang = next((code for code in org.languages or [] if code in LANGUAGES), "fi")
    base = str(current_app.config["PUBLIC_URL"]).rstrip("/")
    context = notifications.FeedStaleNotice(
        organisation_name=localized(org.name, lang),
        email_from=org.email_from,
        professional_name=pro.name,
        feed_label=feed.label or "",
        last_read_date=format_date(feed.last_success_at, lang, org.zone),
        last_read_time=format_time(feed.last_success_at, lang, org.zone),
        withheld=stale_policy(org) == "withhold",
        admin_url=f"{base}/staff/admin/workers/{pro.id}#calendars",
    )
    spell = feed.last_success_at.isoformat()
    notifications.enqueue_many(
        notifications.Message(
            channel="email",
            recipient=admin.email,
            template="feed_stale",
            language=lang,
            context=context,
            idempotency_key=f"feed-stale:{feed.id}:{spell}:{admin.id}",
            organisation_id=org.id,
        )
        for admin in admins
        if admin.email
    )
