"""Writing iCalendar (RFC 5545): booking feeds for staff calendars and a family's .ics file.

Pure: plain values in, bytes out; no Flask, no database. The content lines are written
here directly rather than through icalendar's object model, which takes about 0.6 s
for a feed of 2,000 bookings (a calendar client polling every worker's feed would feel
that); the tests read every output back with icalendar, recurring-ical-events and an
independent parser (vobject).

Feeds carry no client data: the service name, the time, the status and a link into
the staff agenda. The family's file carries the join link in the family's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//Etaaika//Etaaika calendar feed//FI"

# Europe/Helsinki as Exchange and Google write it: the EU rule (last Sunday of March
# 03:00 → EEST, last Sunday of October 04:00 → EET), in force since 1983/1996.
HELSINKI_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Helsinki",
    "X-LIC-LOCATION:Europe/Helsinki",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0300",
    "TZNAME:EEST",
    "DTSTART:19700329T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0300",
    "TZOFFSETTO:+0200",
    "TZNAME:EET",
    "DTSTART:19701025T040000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)

_TEXTS: dict[str, dict[str, str]] = {
    "agenda": {
        "fi": "Avaa varaus Etäajan työlistalla",
        "sv": "Öppna bokningen i Etäaikas arbetslista",
        "en": "Open the booking in the Etäaika agenda",
    },
    "join": {
        "fi": "Liity videotapaamiseen",
        "sv": "Anslut till videomötet",
        "en": "Join the video meeting",
    },
    "phone": {
        "fi": "Puhelinaika: työntekijä soittaa sinulle.",
        "sv": "Telefontid: medarbetaren ringer dig.",
        "en": "Phone appointment: the worker will call you.",
    },
    "manage": {
        "fi": "Siirrä tai peru aika",
        "sv": "Flytta eller avboka tiden",
        "en": "Move or cancel the appointment",
    },
    "video": {"fi": "Videotapaaminen", "sv": "Videomöte", "en": "Video meeting"},
    "cancelled": {"fi": "PERUTTU", "sv": "AVBOKAD", "en": "CANCELLED"},
}


@dataclass(frozen=True)
class FeedEvent:
    """One booking as a staff calendar sees it: no client data."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str  # the service name (and, in a unit feed, the worker's name)
    url: str  # into the staff agenda
    stamp: datetime  # last change of the booking
    cancelled: bool = False


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    if len(line) <= 75 and line.isascii():
        return line
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    start, limit = 0, 75
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1  # do not cut inside a multi-byte character
        parts.append(encoded[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines begin with a space
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y%m%dT%H%M%S")


@lru_cache(maxsize=32)
def vtimezone_lines(zone_name: str, first_year: int, last_year: int) -> tuple[str, ...]:
    """The VTIMEZONE of ``zone_name``: the fixed Helsinki block, or icalendar's for others."""
    if zone_name == "Europe/Helsinki":
        return HELSINKI_VTIMEZONE
    component = icalendar.Timezone.from_tzinfo(
        ZoneInfo(zone_name), first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31)
    )
    text: str = component.to_ical().decode("utf-8")
    return tuple(fold(line) for line in text.replace("\r\n ", "").split("\r\n") if line)


def _calendar_head(name: str | None, zone_name: str, method: str) -> list[str]:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
    ]
    if name is not None:
        lines += [
            fold(f"X-WR-CALNAME:{escape_text(name)}"),
            f"X-WR-TIMEZONE:{zone_name}",
            "REFRESH-INTERVAL;VALUE=DURATION:PT15M",
            "X-PUBLISHED-TTL:PT15M",
        ]
    return lines


def _years(events: Iterable[FeedEvent]) -> tuple[int, int]:
    years = [e.start.year for e in events]
    now = datetime.now(UTC).year
    return (min(years, default=now) - 1, max(years, default=now) + 1)


def render_feed(
    events: Sequence[FeedEvent],
    name: str,
    zone_name: str = "Europe/Helsinki",
    lang: str = "fi",
) -> bytes:
    """A subscribable feed of ``events`` (RFC 5545, METHOD:PUBLISH), as bytes.

    Times are local wall times with a VTIMEZONE, so calendars show them right across DST.
    The output depends only on its inputs (no "now"), so its hash is a stable ETag.
    """
    zone = ZoneInfo(zone_name)
    agenda = escape_text(_TEXTS["agenda"].get(lang, _TEXTS["agenda"]["fi"]))
    lines = _calendar_head(name, zone_name, "PUBLISH")
    lines += vtimezone_lines(zone_name, *_years(events))
    tz = f";TZID={zone_name}:"
    for event in events:
        stamp = _utc(event.stamp)
        lines += [
            "BEGIN:VEVENT",
            fold(f"UID:{event.uid}"),
            f"DTSTAMP:{stamp}",
            f"LAST-MODIFIED:{stamp}",
            f"SEQUENCE:{event.sequence}",
            f"DTSTART{tz}{_local(event.start, zone)}",
            f"DTEND{tz}{_local(event.end, zone)}",
            fold(f"SUMMARY:{escape_text(event.summary)}"),
            fold(f"DESCRIPTION:{agenda}: {escape_text(event.url)}"),
            fold(f"URL:{event.url}"),
            "CLASS:PRIVATE",
            "STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED",
            "TRANSP:TRANSPARENT" if event.cancelled else "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def booking_ics(
    *,
    uid: str,
    sequence: int,
    start: datetime,
    end: datetime,
    service_name: str,
    join_url: str | None,
    lang: str = "fi",
    stamp: datetime,
    meeting_mode: str = "video",
    manage_url: str | None = None,
    organisation_name: str | None = None,
    cancelled: bool = False,
    zone_name: str = "Europe/Helsinki",
) -> bytes:
    """A family's "add to calendar" file for one booking, in the family's language.

    ``service_name`` and ``organisation_name`` are already in ``lang``. The UID and
    SEQUENCE are the booking's, so a later file (moved or cancelled) updates the same
    entry in the family's calendar.
    """
    lang = lang if lang in ("fi", "sv", "en") else "fi"
    zone = ZoneInfo(zone_name)
    words = {key: texts.get(lang, texts["fi"]) for key, texts in _TEXTS.items()}
    summary = service_name if not organisation_name else f"{service_name} – {organisation_name}"
    if cancelled:
        summary = f"{words['cancelled']}: {summary}"
    description: list[str] = []
    if meeting_mode == "phone":
        description.append(words["phone"])
    elif join_url:
        description.append(f"{words['join']}: {join_url}")
    if manage_url:
        description.append(f"{words['manage']}: {manage_url}")
    lines = _calendar_head(None, zone_name, "PUBLISH")
    lines += vtimezone_lines(zone_name, start.year - 1, start.year + 1)
    tz = f";TZID={zone_name}:"
    lines += [
        "BEGIN:VEVENT",
        fold(f"UID:{uid}"),
        f"DTSTAMP:{_utc(stamp)}",
        f"SEQUENCE:{sequence}",
        f"DTSTART{tz}{_local(start, zone)}",
        f"DTEND{tz}{_local(end, zone)}",
        fold(f"SUMMARY:{escape_text(summary)}"),
    ]
    if description:
        lines.append(fold(f"DESCRIPTION:{escape_text(chr(10).join(description))}"))
    if meeting_mode != "phone" and join_url:
        lines += [
            fold(f"LOCATION:{escape_text(words['video'] + ': ' + join_url)}"),
            fold(f"URL:{join_url}"),
        ]
    lines += [
        "STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
