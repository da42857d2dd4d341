"""The retention job: removes the personal data of bookings that ended more than
``ETAAIKA_RETENTION_DAYS`` (default 730) days ago, keeping what the figures need
(service, worker, times, status, language, meeting mode).

Safe to run again (a booking is cleaned once) and twice at once (rows are claimed with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

import notifications
import video
from scheduler import audit
from scheduler.booking import client_identifiers, interpreters
from scheduler.database import is_postgres
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import Booking, BookingParticipant

DEFAULT_RETENTION_DAYS = 730
BATCH = 500


def retention_days() -> int:
    return int(current_app.config.get("RETENTION_DAYS") or DEFAULT_RETENTION_DAYS)


def _forget_participants(bookings: list[Booking], now: datetime) -> None:
    """Remove the personal data of every participant of these bookings, each logged
    under their own identifiers (so their own log shows the removal too)."""
    if not bookings:
        return
    by_id = {b.id: b for b in bookings}
    found = db.session.scalars(
        select(BookingParticipant).where(
            BookingParticipant.booking_id.in_(by_id),
            BookingParticipant.personal_data_removed_at.is_(None),
        )
    )
    for participant in found:
        audit.record(
            by_id[participant.booking_id].organisation_id,
            "participant.personal_data_removed",
            f"participant:{participant.id}",
            [participant.email, participant.phone],
        )
        participant.name = None
        participant.email = None
        participant.phone = None
        participant.manage_token_hash = None
        participant.personal_data_removed_at = now


def purge_personal_data() -> int:
    """Periodic job: clean one batch of bookings past retention; returns how many."""
    now = now_utc()
    cutoff = now - timedelta(days=retention_days())
    query = (
        select(Booking)
        .where(Booking.end_at < cutoff, Booking.personal_data_removed_at.is_(None))
        .order_by(Booking.id)
        .limit(BATCH)
    )
    if is_postgres():
        query = query.with_for_update(skip_locked=True)
    bookings = list(db.session.scalars(query))
    for booking in bookings:
        # Logged before the identifiers are gone, so the client's own log shows the removal.
        audit.record(
            booking.organisation_id,
            "booking.personal_data_removed",
            f"booking:{booking.id}",
            client_identifiers(booking),
        )
        booking.client_name = None
        booking.client_email = None
        booking.client_phone = None
        booking.intake_answers = {}
        booking.identity_subject = None
        booking.identity_name = None
        booking.cancel_reason = None
        booking.manage_token_hash = None
        booking.hold_token_hash = None
        booking.personal_data_removed_at = now
        booking.updated_at = now
    _forget_participants(bookings, now)
    # A request for an interpreter tells the family's language: it goes by the same rule.
    interpreters.forget_requests([b.id for b in bookings])
    # The video rooms name the family and guests; finished messages hold names and
    # addresses too. They go by the same rule.
    video.forget_names([b.id for b in bookings])
    notifications.purge_finished(cutoff)
    db.session.flush()
    return len(bookings)
