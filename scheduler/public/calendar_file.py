"""The booking as an iCalendar file that a family adds to its own calendar.

The file itself is made by ``scheduler.ical`` (the booking's UID and SEQUENCE, so that a
file saved again after a move updates the same event); it names the service, the time and
how to join, never the client.
"""

from __future__ import annotations

from flask import Response

from scheduler.ical.feed_data import booking_ics_for
from scheduler.kernel import as_utc
from scheduler.models import Booking
from scheduler.web.i18n import current_language


def calendar_response(booking: Booking, manage_link: str, join_link: str | None) -> Response:
    """The .ics download in the page's language, named after the service and the day."""
    body = booking_ics_for(booking, join_link, current_language(), manage_url=manage_link)
    name = f"{booking.service.slug}-{as_utc(booking.start_at):%Y%m%d}.ics"
    return Response(
        body,
        content_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
