"""Bytes of a calendar feed → icalendar components, repairing what real feeds get wrong.

Pure: no Flask, no database. Real feeds are often slightly broken (a missing
``END:VCALENDAR``, bare ``VEVENT``s, a stray line, a VTIMEZONE with an impossible
offset). The parser first tries the feed as it is and only repairs it when that fails,
so a good feed is parsed exactly once. Every repair is reported as a :class:`Problem`.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field

import icalendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

_BOM = "\ufeff"
_FOLD = re.compile(r"\r?\n[ \t]")
_EMPTY_TZID = re.compile(r";TZID=(?=[;:])", re.IGNORECASE)
_VTIMEZONE = re.compile(r"^BEGIN:VTIMEZONE\s*$.*?^END:VTIMEZONE\s*$\n?", re.I | re.M | re.S)
# Exchange sometimes quotes the value together with the TZID: TZID="Zone:20200609T090000".
_QUOTED_VALUE = re.compile(r';TZID="([^":\r\n]+):([0-9]{8}(?:T[0-9]{6}Z?)?)"\r?$', re.M)
_TZID_LINE = re.compile(r"^TZID[^:]*:(.*)$", re.I | re.M)


@dataclass(frozen=True)
class Problem:
    """Something in a feed that was skipped or repaired; ``code`` is a key of ical.texts."""

    code: str
    detail: str = ""


class FeedUnreadable(Exception):
    """The feed cannot be read as iCalendar at all."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class ParsedFeed:
    """The calendars of a feed and what had to be repaired to read them."""

    calendars: list[icalendar.Calendar]
    problems: list[Problem] = field(default_factory=list)


def decode(data: bytes, problems: list[Problem]) -> str:
    """UTF-8 (with or without a BOM); Windows-1252 for the feeds that are not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Latin-1 exports exist (old Google/Outlook re-encodings); cp1252 is its superset.
        text = data.decode("cp1252", errors="replace")
        problems.append(Problem("not_utf8"))
    return text.removeprefix(_BOM)


def _known_zone(tzid: str) -> bool:
    tzid = tzid.strip().strip('"').strip("/")
    if not tzid:
        return False
    if tzid in WINDOWS_TO_OLSON:
        return True
    try:
        zoneinfo.ZoneInfo(tzid)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _drop_replaceable_timezones(text: str) -> tuple[str, int]:
    """Remove VTIMEZONE blocks that are blank or name a zone the tz database knows.

    icalendar prefers the tz database for known names anyway, so such a block adds
    nothing, and a broken one (``TZOFFSETFROM:+5328``) would sink the whole feed.
    """
    dropped = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal dropped
        tzid = _TZID_LINE.search(match.group(0))
        if tzid is None or not tzid.group(1).strip() or _known_zone(tzid.group(1)):
            dropped += 1
            return ""
        return match.group(0)

    return _VTIMEZONE.sub(replace, text), dropped


def _wrap_and_close(text: str, problems: list[Problem]) -> str:
    upper = text.upper()
    if "BEGIN:VCALENDAR" not in upper:
        if "BEGIN:V" not in upper:
            raise FeedUnreadable("not_icalendar", f"{len(text)} characters")
        problems.append(Problem("repaired_no_calendar"))
        return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{text.strip()}\r\nEND:VCALENDAR\r\n"
    if upper.count("BEGIN:VCALENDAR") > upper.count("END:VCALENDAR"):
        problems.append(Problem("repaired_truncated"))
        return text.rstrip() + "\r\nEND:VCALENDAR\r\n"
    return text


def _repair_lines(text: str) -> tuple[str, int]:
    """Unfold, drop content lines with no ``name:value`` shape and empty TZID parameters."""
    unfolded = _FOLD.sub("", text)
    kept: list[str] = []
    dropped = 0
    for line in unfolded.splitlines():
        if not line.strip():
            continue
        if ":" not in line:
            dropped += 1
            continue
        kept.append(_EMPTY_TZID.sub("", line))
    return "\r\n".join(kept) + "\r\n", dropped


def _parse(text: str) -> list[icalendar.Calendar]:
    return list(icalendar.Calendar.from_ical(text, multiple=True))


def parse_feed(data: bytes) -> ParsedFeed:
    """Parse ``data`` into calendars; raise :class:`FeedUnreadable` when nothing can be read."""
    problems: list[Problem] = []
    if not data.strip():
        raise FeedUnreadable("empty")
    text = _wrap_and_close(decode(data, problems), problems)
    text, quoted = _QUOTED_VALUE.subn(r';TZID="\1":\2', text)
    if quoted:
        problems.append(Problem("repaired", f"{quoted} quoted date values"))
    try:
        return ParsedFeed(_parse(text), problems)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        first_error = str(error)[:200]
        repaired, dropped_lines = _repair_lines(text)
        repaired, dropped_zones = _drop_replaceable_timezones(repaired)
        try:
            calendars = _parse(repaired)
        except (ValueError, KeyError, IndexError, TypeError) as second:
            raise FeedUnreadable("unreadable", type(second).__name__) from second
    if dropped_lines:
        problems.append(Problem("dropped_lines", str(dropped_lines)))
    if dropped_zones:
        problems.append(Problem("dropped_timezones", str(dropped_zones)))
    problems.append(Problem("repaired", first_error))
    return ParsedFeed(calendars, problems)
