"""iMIP invitations (RFC 6047): a REQUEST with a confirmation or change, a CANCEL with
a cancellation, for the same UID and a higher SEQUENCE, so that a calendar client
updates or removes the one event it already has.

Built from the ``Invite`` of a family's message context (``notifications.contract``).
The invitation carries no secret link: calendars are often shared.
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

from notifications.contract import Invite

PRODID = "-//Etaaika//Etaaika ajanvaraus//FI"
METHODS = {
    "confirmation": "REQUEST",
    "invitation": "REQUEST",
    "changed": "REQUEST",
    "cancelled": "CANCEL",
}


def invite_method(template: str) -> str | None:
    """The iMIP method an e-mail of ``template`` carries, or None for none."""
    return METHODS.get(template)


def _address(email: str, name: str | None, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def build_invite(method: str, values: Invite, stamp: datetime | None = None) -> bytes:
    """The iCalendar object of an invitation (``REQUEST``) or a cancellation (``CANCEL``)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iMIP method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", values.uid)
    event.add("sequence", values.sequence)
    event.add("dtstamp", stamp or datetime.now(UTC))
    event.add("dtstart", datetime.fromisoformat(values.start).astimezone(UTC))
    event.add("dtend", datetime.fromisoformat(values.end).astimezone(UTC))
    event.add("summary", values.summary)
    if values.location:
        event.add("location", values.location)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(values.organizer_email, values.organizer_name))
    if values.attendee_email:
        event.add(
            "attendee",
            _address(
                values.attendee_email,
                values.attendee_name,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="ACCEPTED",
                RSVP="FALSE",
            ),
        )
    calendar.add_component(event)
    return bytes(calendar.to_ical())
