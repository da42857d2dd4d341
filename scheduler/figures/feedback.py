"""Feedback from families: the one-time links sent after a meeting, and the answers.

After a meeting (marked held, or confirmed and ended ``GRACE`` ago without being marked
missed) the family gets one message, by e-mail or else by SMS, through the outbox. It
carries a secret link (256 bits; only its SHA-256 is stored) to an anonymous form: a
rating from 1 to 5 and an optional comment. The answer is stored without the booking,
the client or the time of day, and the link works once.

Comments may contain personal data the family chose to write (names, situations). They
are therefore shown only to administrators, each showing is written to the access log,
they are never exported as CSV, and they are removed ``retention_days()`` after they were
given (the rating stays for the figures).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

import notifications
from scheduler.booking.contact import can_receive_sms, normalise_phone
from scheduler.booking.retention import retention_days
from scheduler.database import is_postgres
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc, local_date, now_utc
from scheduler.models import Booking, BookingStatus, Feedback, FeedbackInvite, Service
from scheduler.tokens import new_token, token_hash
from scheduler.web.i18n import format_date, localized

# A meeting still "confirmed" this long after its end was most likely held but not
# marked; waiting gives the worker time to mark a no-show first.
GRACE = timedelta(hours=3)
# Meetings that ended longer ago than this get no request (e.g. when the feature is
# switched on, the history is not messaged).
MAX_AGE = timedelta(days=3)
# How long the link works after it was queued.
LINK_DAYS = 14
BATCH = 200
MAX_COMMENT = 1000
RATINGS = (1, 2, 3, 4, 5)
LANGUAGES = ("fi", "sv", "en")


class LinkState(enum.StrEnum):
    VALID = "valid"
    NOT_FOUND = "not_found"
    USED = "used"
    EXPIRED = "expired"


def feedback_url(token: str, language: str) -> str:
    """The family's secret link to the form, in the family's language."""
    base = str(current_app.config["PUBLIC_URL"]).rstrip("/")
    return f"{base}/feedback/{token}?lang={language}"


def _recipient(booking: Booking) -> tuple[str, str] | None:
    """One channel per booking: e-mail when there is an address, else a mobile number."""
    if booking.client_email:
        return "email", booking.client_email
    try:
        phone = normalise_phone(booking.client_phone)
    except Problem:
        return None
    if phone and can_receive_sms(phone):
        return "sms", phone
    return None


def _context(booking: Booking, language: str) -> notifications.FeedbackRequest:
    """Plain values for the message: no client or worker names, no link."""
    service_name = localized(booking.service.name, language)
    org = booking.organisation
    may_name = not booking.service.sensitive or bool(
        (org.settings or {}).get("sms_may_name_sensitive_services")
    )
    return notifications.FeedbackRequest(
        organisation_name=localized(org.name, language),
        email_from=org.email_from or None,
        service_name=service_name,
        sms_service=service_name if may_name else None,
        date=format_date(booking.start_at, language, org.zone),
        meeting_mode=booking.meeting_mode,
    )


def _claim_invite(booking: Booking, token: str | None, now: datetime) -> bool:
    """Create the booking's one invite; False when another run created it first."""
    values = {
        "organisation_id": booking.organisation_id,
        "booking_id": booking.id,
        "unit_id": booking.service.unit_id,
        "service_id": booking.service_id,
        "token_hash": token_hash(token) if token else None,
        "created_at": now,
        "expires_at": now + timedelta(days=LINK_DAYS),
        "used": False,
    }
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(FeedbackInvite.__table__)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["booking_id"])
        .returning(FeedbackInvite.__table__.c.id)
    )
    return db.session.execute(statement).first() is not None


def due_bookings(now: datetime) -> list[Booking]:
    """Meetings that are over, have no feedback invite yet and are recent enough."""
    query = (
        select(Booking)
        .outerjoin(FeedbackInvite, FeedbackInvite.booking_id == Booking.id)
        .where(
            FeedbackInvite.id.is_(None),
            Booking.personal_data_removed_at.is_(None),
            Booking.end_at > now - MAX_AGE,
            or_(
                and_(Booking.status == BookingStatus.COMPLETED, Booking.end_at <= now),
                and_(Booking.status == BookingStatus.CONFIRMED, Booking.end_at <= now - GRACE),
            ),
        )
        .order_by(Booking.id)
        .limit(BATCH)
    )
    if is_postgres():
        query = query.with_for_update(skip_locked=True, of=Booking)
    return list(db.session.scalars(query))


def queue_feedback_requests(now: datetime | None = None) -> int:
    """Periodic job: queue one feedback message per finished meeting; returns how many.

    Safe to run again and twice at once: the invite is unique per booking and the message
    has an idempotency key. An organisation can switch the messages off with
    ``settings["feedback_requests"] = false``.
    """
    now = now or now_utc()
    queued = 0
    for booking in due_bookings(now):
        wanted = (booking.organisation.settings or {}).get("feedback_requests", True)
        recipient = _recipient(booking) if wanted else None
        token = new_token() if recipient else None
        if not _claim_invite(booking, token, now):
            continue
        if recipient is None or token is None:
            continue  # remembered as handled, with no link that could be used
        channel, address = recipient
        language = booking.language if booking.language in LANGUAGES else "fi"
        due = now
        if channel == "sms":
            quiet = notifications.quiet_hours(booking.organisation.settings)
            due = notifications.sms_send_time(now, booking.organisation.zone, quiet)
        group = f"booking:{booking.uid}:feedback"
        notifications.enqueue(
            channel=channel,
            recipient=address,
            template="feedback",
            language=language,
            context=_context(booking, language),
            secrets={"feedback_url": feedback_url(token, language)},
            idempotency_key=group,
            group_key=group,
            organisation_id=booking.organisation_id,
            due_at=due,
            expires_at=now + timedelta(days=LINK_DAYS),
        )
        queued += 1
    db.session.flush()
    return queued


def find_invite(token: str, now: datetime | None = None) -> tuple[LinkState, FeedbackInvite | None]:
    """The invite behind a link and whether it can still be used."""
    now = now or now_utc()
    invite = db.session.scalar(
        select(FeedbackInvite).where(FeedbackInvite.token_hash == token_hash(token))
    )
    if invite is None:
        return LinkState.NOT_FOUND, None
    if invite.used:
        return LinkState.USED, invite
    if as_utc(invite.expires_at) <= now:
        return LinkState.EXPIRED, invite
    return LinkState.VALID, invite


def give_feedback(
    invite: FeedbackInvite, rating: int, comment: str | None, now: datetime | None = None
) -> Feedback | None:
    """Store the answer and use up the link; None when the link was used meanwhile."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be 1..5, got {rating}")
    now = now or now_utc()
    # One atomic update: of two answers sent at once through one link, one wins.
    claimed = db.session.execute(
        update(FeedbackInvite)
        .where(FeedbackInvite.id == invite.id, FeedbackInvite.used.is_(False))
        .values(used=True)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return None
    service = db.session.get(Service, invite.service_id)
    assert service is not None
    feedback = Feedback(
        organisation_id=invite.organisation_id,
        unit_id=invite.unit_id,
        service_id=invite.service_id,
        received_on=local_date(now, service.organisation.zone),
        rating=rating,
        comment=(comment or "").strip()[:MAX_COMMENT] or None,
    )
    db.session.add(feedback)
    db.session.flush()
    return feedback


def purge_old_comments(now: datetime | None = None) -> int:
    """Remove the comments given more than the retention period ago; returns how many."""
    now = now or now_utc()
    cutoff: date = now.date() - timedelta(days=retention_days())
    result = db.session.execute(
        update(Feedback)
        .where(Feedback.received_on < cutoff, Feedback.comment.is_not(None))
        .values(comment=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
