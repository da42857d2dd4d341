"""Loading what a booking feed shows: database rows → plain FeedEvent values."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from scheduler.extensions import db
from scheduler.ical.export import FeedEvent, booking_ics
from scheduler.ical.settings import setting
from scheduler.models import (
    Booking,
    BookingStatus,
    FeedToken,
    Organisation,
    Professional,
    Service,
    Unit,
)
from scheduler.tokens import token_hash
from scheduler.web.i18n import localized

# Bookings that a staff calendar shows; a hold is not yet a booking, an expired hold never was.
_SHOWN = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


def find_token(secret: str) -> FeedToken | None:
    """The live token whose hash matches ``secret``, or None (unknown or revoked)."""
    if not secret or len(secret) > 200:
        return None
    return db.session.scalar(
        select(FeedToken).where(
            FeedToken.token_hash == token_hash(secret), FeedToken.revoked_at.is_(None)
        )
    )


def agenda_url(booking_id: int) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/staff/agenda?booking={booking_id}"


def feed_contents(row: FeedToken, now: datetime) -> tuple[list[FeedEvent], str, str, datetime]:
    """The events of a token's feed, the calendar's name, its zone and its last change."""
    organisation = db.session.get(Organisation, row.organisation_id)
    assert organisation is not None
    lang = row.language
    past = now - timedelta(days=int(setting("FEED_PAST_DAYS")))
    cancelled_since = now - timedelta(days=int(setting("FEED_CANCELLED_DAYS")))
    query = (
        select(
            Booking.id,
            Booking.uid,
            Booking.sequence,
            Booking.start_at,
            Booking.end_at,
            Booking.status,
            Booking.updated_at,
            Service.name.label("service_name"),
            Professional.name.label("professional_name"),
        )
        .join(Service, Service.id == Booking.service_id)
        .join(Professional, Professional.id == Booking.professional_id)
        .where(
            or_(
                and_(Booking.status.in_(_SHOWN), Booking.end_at >= past),
                and_(
                    Booking.status == BookingStatus.CANCELLED,
                    Booking.confirmed_at.is_not(None),
                    Booking.cancelled_at >= cancelled_since,
                ),
            )
        )
        .order_by(Booking.start_at, Booking.id)
    )
    if row.professional_id is not None:
        query = query.where(Booking.professional_id == row.professional_id)
        owner = db.session.get(Professional, row.professional_id)
        name = owner.name if owner else ""
    else:
        query = query.where(Service.unit_id == row.unit_id)
        unit = db.session.get(Unit, row.unit_id)
        name = localized(unit.name if unit else {}, lang)
    events: list[FeedEvent] = []
    last_change = row.created_at
    for r in db.session.execute(query):
        summary = localized(r.service_name, lang)
        if row.unit_id is not None:
            summary = f"{summary} – {r.professional_name}"
        events.append(
            FeedEvent(
                uid=r.uid,
                sequence=r.sequence,
                start=r.start_at,
                end=r.end_at,
                summary=summary,
                url=agenda_url(r.id),
                stamp=r.updated_at,
                cancelled=r.status == BookingStatus.CANCELLED,
            )
        )
        last_change = max(last_change, r.updated_at)
    return events, f"Etäaika – {name}", organisation.timezone, last_change


def booking_ics_for(
    booking: Booking, join_url: str | None, lang: str, manage_url: str | None = None
) -> bytes:
    """A family's .ics for ``booking`` in ``lang``: the service, the time and the join link."""
    return booking_ics(
        uid=booking.uid,
        sequence=booking.sequence,
        start=booking.start_at,
        end=booking.end_at,
        service_name=localized(booking.service.name, lang),
        organisation_name=localized(booking.organisation.name, lang) or None,
        join_url=join_url,
        manage_url=manage_url,
        meeting_mode=booking.meeting_mode,
        lang=lang,
        stamp=booking.updated_at,
        cancelled=booking.status == BookingStatus.CANCELLED,
        zone_name=booking.organisation.timezone,
    )
