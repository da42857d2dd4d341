"""What a follow-up series tells people, once for the whole series: the family's one
confirmation that lists every meeting, and one cancellation notice that lists every
cancelled meeting (with one staff notice per worker). The single-meeting messages are
``messages``; these reuse its contexts and only add the list of the meetings
(``FamilyNotice.series``, ``StaffNotice.series``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

import notifications
from notifications import Message
from scheduler.booking import messages
from scheduler.booking.message_times import listed_time
from scheduler.kernel import as_utc
from scheduler.models import Booking


def meeting_dates(bookings: Sequence[Booking], lang: str, zone: ZoneInfo) -> tuple[str, ...]:
    """Each meeting as the messages list it: "ti 8.12.2026 klo 9.15" (sv "tis 8.12.2026
    kl. 9.15", en "Tue 8.12.2026 9:15"), in time order."""
    ordered = sorted(bookings, key=lambda b: as_utc(b.start_at))
    return tuple(listed_time(b.start_at, lang, zone) for b in ordered)


def _family_language(booking: Booking) -> str:
    return booking.language if booking.language in messages.LANGUAGES else "fi"


def series_confirmed(first: Booking, manage_token: str, bookings: Sequence[Booking]) -> None:
    """The family's one confirmation of a series (the first meeting's, with its manage
    link), listing every meeting booked."""
    context = messages.client_context(first)
    context = replace(
        context,
        series=meeting_dates(bookings, _family_language(first), first.organisation.zone),
    )
    secrets = messages._secrets(first, {"manage_url": messages.manage_url(manage_token)})
    notifications.enqueue_many(messages._notice(first, "confirmation", context, secrets))


def series_cancelled(cancelled: Sequence[Booking]) -> None:
    """One cancellation notice to the family listing every cancelled meeting, and one
    staff notice per worker listing theirs; the meetings' pending reminders are dropped."""
    ordered = sorted(cancelled, key=lambda b: as_utc(b.start_at))
    for booking in ordered:
        notifications.cancel_pending(messages._group(booking))
    first = ordered[0]
    zone = first.organisation.zone
    context = replace(
        messages.client_context(first),
        series=meeting_dates(ordered, _family_language(first), zone),
    )
    queued = messages._notice(first, "cancelled", context, secrets=None)
    notifications.enqueue_many(queued + _workers_told(ordered, "cancelled"))


def series_booked(bookings: Sequence[Booking]) -> None:
    """One staff notice per worker of a newly booked series, listing their meetings (each
    meeting's own "booked" notice is left out: ``messages.booking_confirmed``)."""
    ordered = sorted(bookings, key=lambda b: as_utc(b.start_at))
    notifications.enqueue_many(_workers_told(ordered, "booked"))


def _workers_told(ordered: Sequence[Booking], event: str) -> list[Message]:
    zone = ordered[0].organisation.zone
    by_worker: dict[int, list[Booking]] = {}
    for booking in ordered:
        by_worker.setdefault(booking.professional_id, []).append(booking)
    queued: list[Message] = []
    for theirs in by_worker.values():
        queued += _staff_series_notice(theirs, zone, event)
    return queued


def _staff_series_notice(theirs: list[Booking], zone: ZoneInfo, event: str) -> list[Message]:
    notices = messages.staff_notices(theirs[0], event)
    listed = []
    for notice in notices:
        context = notice.context
        if isinstance(context, notifications.StaffNotice):
            context = replace(context, series=meeting_dates(theirs, notice.language, zone))
        listed.append(replace(notice, context=context))
    return listed
