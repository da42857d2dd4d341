"""The booking as an iCalendar (RFC 5545) file that a family adds to its own calendar.

The event keeps the booking's UID and SEQUENCE, so a calendar that imports the file again
after a move updates the event instead of adding a second one. It names the service, the
worker and how to join, never the client.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response
from flask_babel import gettext
from icalendar import Calendar, Event

from scheduler.i18n import format_datetime, localized
from scheduler.models import Booking, BookingStatus
from scheduler.public.texts import MEETING_MODES
from scheduler.timeutil import as_utc, now_utc


def family_calendar(booking: Booking, manage_link: str, join_link: str | None,
                    stamp: datetime | None = None) -> bytes:
    """One VEVENT for the booking, in the page's language (call inside a request)."""
    service = booking.service
    cancelled = booking.status == BookingStatus.CANCELLED.value
    calendar = Calendar()
    calendar.add("prodid", "-//Etäaika//Etäaika//FI")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", booking.uid)
    event.add("sequence", booking.sequence)
    event.add("dtstamp", as_utc(stamp or now_utc()))
    event.add("dtstart", as_utc(booking.start_at))
    event.add("dtend", as_utc(booking.end_at))
    event.add("summary", f"{localized(service.name)} – {localized(booking.organisation.name)}")
    lines = [
        gettext("With: %(name)s", name=booking.professional.name),
        gettext("How: %(mode)s", mode=str(MEETING_MODES.get(booking.meeting_mode,
                                                             booking.meeting_mode))),
        gettext("Time: %(time)s", time=format_datetime(booking.start_at,
                                                       zone=booking.organisation.zone)),
    ]
    if join_link:
        lines.append(gettext("Join the video meeting: %(link)s", link=join_link))
    lines.append(gettext("Cancel or move the time: %(link)s", link=manage_link))
    event.add("description", "\n".join(lines))
    event.add("location", join_link or str(MEETING_MODES.get(booking.meeting_mode, "")))
    event.add("url", join_link or manage_link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()


def calendar_response(booking: Booking, manage_link: str, join_link: str | None) -> Response:
    """The .ics download, named after the service and the day."""
    body = family_calendar(booking, manage_link, join_link)
    name = f"{booking.service.slug}-{as_utc(booking.start_at):%Y%m%d}.ics"
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
    })
