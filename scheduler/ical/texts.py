"""Plain words for feed errors and problems, for a municipal administrator.

Codes are stored in the database (CalendarFeed.last_error, CalendarFeed.report); the
words are chosen when the admin page is shown, in the viewer's language, from the staff
pages' catalogues (``translations/staff``, fi, sv and en).
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

# ruff: noqa: E501  (whole sentences read and translated best unbroken)

TEXTS = {
    # Errors: the feed gave nothing usable this time; the last good busy times are kept.
    "bad_url": _l(
        "The address is not a web calendar address (it must start with https:// or webcal://)."
    ),
    "blocked_address": _l(
        "The address leads into the service's own internal network, so it is not read. Calendars are read from public internet addresses only. If your organisation publishes calendars on an internal server, the system administrator can allow it."
    ),
    "too_many_redirects": _l(
        "The calendar server redirected too many times. Check the address and use the calendar's direct publishing address."
    ),
    "unreachable": _l(
        "The calendar server could not be reached. Check the address or try again later."
    ),
    "tls": _l("The calendar server's certificate is not valid, so no connection was made."),
    "timeout": _l("The calendar server answered too slowly."),
    "too_large": _l("The calendar is too large to read. Publish a shorter period."),
    "forbidden": _l(
        "The calendar server refuses to share the calendar. Publishing may have been stopped or the address changed."
    ),
    "not_found": _l("There is no calendar at this address. The address may have changed."),
    "server_error": _l("The calendar server has a fault. We will try again automatically."),
    "http_error": _l("The calendar server gave an unexpected answer."),
    "empty": _l("The calendar server returned an empty file."),
    "not_icalendar": _l(
        "The address does not give a calendar but something else (a sign-in page, for example)."
    ),
    "unreadable": _l("The calendar file is too broken to be read."),
    # Problems: the feed was read, but some parts were skipped or repaired.
    "not_utf8": _l("The file is not in UTF-8; special letters may look wrong."),
    "repaired": _l("The file had format errors that were repaired to read it."),
    "repaired_no_calendar": _l("The file had no calendar wrapper; the events were read anyway."),
    "repaired_truncated": _l("The file was cut short; what was intact was read."),
    "dropped_lines": _l("Lines that were not in calendar format were skipped."),
    "dropped_timezones": _l("A faulty time zone description was replaced with standard data."),
    "invalid_property": _l("Some events had faulty details that were skipped."),
    "event_without_start": _l("Events without a valid start time were skipped."),
    "invalid_event": _l("Some faulty events were skipped."),
    "end_before_start": _l("Events that end before they start were skipped."),
    "bad_recurrence": _l("Some recurring events had a faulty repeat rule and were skipped."),
    "unknown_timezone": _l(
        "Unknown time zone; times were read by best guess (usually Finnish time)."
    ),
    "too_many_events": _l("The calendar has very many events; only some were stored."),
    "calendar_skipped": _l("Part of the calendar was skipped because of an error."),
    "stale": _l(
        "The calendar has not been updated for a long time. The worker's times are not offered for booking until an update succeeds."
    ),
    "stale_warn": _l(
        "The calendar has not been updated for a long time. Bookable times may clash with events in the calendar."
    ),
    "never_fetched": _l(
        "The calendar has not been read yet. The worker's times can be booked, but they may clash with events in the calendar until it has been read."
    ),
}


def text(code: str | None, lang: str = "fi") -> str:
    """The words for ``code`` in ``lang`` (fi, sv, en); an unknown code reads as an
    unexpected answer of the server."""
    if not code:
        return ""
    with force_locale(lang):
        return str(TEXTS.get(code, TEXTS["http_error"]))
