"""Busy intervals of a calendar feed inside a window: the pure heart of the import.

``read_busy(data, window_start, window_end, zone)`` takes the bytes of a feed and returns
UTC intervals. It imports neither Flask nor the database and never raises: a feed
that cannot be read at all comes back with ``error`` set, a partly broken one with
the bad parts skipped and listed in ``problems``.

Rules (see also the README of this package):

* Recurrences (RRULE, RDATE, EXDATE, RECURRENCE-ID, RANGE=THISANDFUTURE) are expanded
  by recurring-ical-events, only inside the window.
* An occurrence is *free*, and so not stored, when its STATUS is CANCELLED, its TRANSP is
  TRANSPARENT, or its X-MICROSOFT-CDO-BUSYSTATUS is FREE. TENTATIVE and out-of-office
  count as busy: offering a time that is really busy is the worse error.
* Windows zone names and IANA names are resolved by icalendar (CLDR windowsZones);
  X-WR-TIMEZONE by the x-wr-timezone library. Floating times are read in ``zone``
  (the organisation's zone). A TZID that nobody knows is read as its ``(UTC+hh:mm)``
  offset when its name carries one, else in ``zone``, and reported.
* An all-day event makes the whole local days busy, midnight to midnight in ``zone``:
  a worker's "day off" or "training day" in Outlook means no appointments that day.
* VFREEBUSY periods of type BUSY, BUSY-TENTATIVE and BUSY-UNAVAILABLE are busy.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone

from scheduler.ical.parse import FeedUnreadable, Problem, parse_feed
from scheduler.kernel import overlaps

# Times are compared before and after the zone is known: this margin covers any offset.
_MARGIN = timedelta(days=2)
_OFFSET_NAME = re.compile(r"\((?:UTC|GMT)\s*([+-])(\d{1,2}):?(\d{2})?\)")
_FREE_BUSY_TYPES = {"BUSY", "BUSY-TENTATIVE", "BUSY-UNAVAILABLE"}
# InvalidCalendar is a ValueError; named for the reader.
_EXPANSION_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError)


@dataclass(frozen=True, order=True)
class BusyInterval:
    """A busy time ``[start, end)`` in UTC, with the UID of the event it came from."""

    start: datetime
    end: datetime
    uid: str | None = None


@dataclass
class ImportResult:
    """What a feed says about busy times in the window."""

    intervals: list[BusyInterval] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None  # set when the feed could not be read at all
    error_detail: str = ""
    events_seen: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    def problem_counts(self) -> dict[str, int]:
        """How many times each kind of problem occurred."""
        return dict(Counter(p.code for p in self.problems))


def read_busy(
    data: bytes,
    window_start: datetime,
    window_end: datetime,
    zone: ZoneInfo,
    max_intervals: int = 50_000,
) -> ImportResult:
    """The busy intervals of the feed ``data`` that overlap ``[window_start, window_end)``."""
    result = ImportResult()
    try:
        parsed = parse_feed(data)
    except FeedUnreadable as error:
        result.error, result.error_detail = error.code, error.detail
        return result
    except Exception as error:  # a parser bug must not sink the job either
        result.error, result.error_detail = "unreadable", type(error).__name__
        return result
    result.problems.extend(parsed.problems)
    found: set[BusyInterval] = set()
    for calendar in parsed.calendars:
        try:
            found.update(_calendar_busy(calendar, window_start, window_end, zone, result))
        except Exception as error:  # defensive: report, keep what other calendars gave
            result.problems.append(Problem("calendar_skipped", repr(error)[:200]))
    intervals = sorted(found)
    if len(intervals) > max_intervals:
        result.problems.append(Problem("too_many_events", str(len(intervals))))
        intervals = intervals[:max_intervals]
    result.intervals = intervals
    return result


def _calendar_busy(
    calendar: icalendar.Calendar,
    window_start: datetime,
    window_end: datetime,
    zone: ZoneInfo,
    result: ImportResult,
) -> Iterator[BusyInterval]:
    for component in calendar.walk():
        for name, message in getattr(component, "errors", ()):
            result.problems.append(Problem("invalid_property", f"{name}: {message}"[:200]))
    yield from _free_busy_periods(calendar, window_start, window_end)
    _prepare_events(calendar, window_start, window_end, zone, result)
    if "X-WR-TIMEZONE" in calendar:
        try:
            calendar = x_wr_timezone.to_standard(calendar)
        except Exception as error:  # an unknown X-WR-TIMEZONE: read as floating instead
            result.problems.append(Problem("unknown_timezone", str(error)[:200]))
    lo, hi = window_start - _MARGIN, window_end + _MARGIN
    for occurrence in _occurrences(calendar, lo, hi, result):
        interval = _busy_interval(occurrence, zone, result)
        if interval and overlaps(interval.start, interval.end, window_start, window_end):
            yield BusyInterval(
                max(interval.start, window_start), min(interval.end, window_end), interval.uid
            )


def _prepare_events(
    calendar: icalendar.Calendar,
    window_start: datetime,
    window_end: datetime,
    zone: ZoneInfo,
    result: ImportResult,
) -> None:
    """Drop events that cannot matter, and place events with unknown TZIDs in a zone.

    Single events far outside the window are removed before expansion: in a long feed
    most events lie in the past, and the expansion would otherwise copy each of them.
    Events with RRULE, RDATE or RECURRENCE-ID are always kept, since an override may move
    an occurrence into or out of the window.
    """
    kept: list[icalendar.cal.Component] = []
    lo, hi = window_start - _MARGIN, window_end + _MARGIN
    for component in calendar.subcomponents:
        if component.name != "VEVENT":
            kept.append(component)
            continue
        result.events_seen += 1
        start_prop = component.get("DTSTART")
        try:
            start = start_prop.dt if start_prop is not None else None
        except Exception:  # icalendar's BrokenCalendarProperty for an unreadable value
            start = None
        if not isinstance(start, date):
            result.problems.append(Problem("event_without_start", str(component.get("UID", ""))))
            continue
        tzid = start_prop.params.get("TZID")
        if isinstance(start, datetime) and start.tzinfo is None and tzid:
            # icalendar leaves times with an unknown TZID floating; place them ourselves.
            _assign_zone(component, _guess_zone(str(tzid), zone))
            result.problems.append(Problem("unknown_timezone", str(tzid)[:100]))
            start = _dt(component, "DTSTART")
        end = _dt(component, "DTEND")
        if isinstance(end, date) and _rough_utc(end) < _rough_utc(start):
            # recurring-ical-events swaps the two; the time is kept busy, but say so.
            result.problems.append(Problem("end_before_start", str(component.get("UID", ""))))
        recurring = any(key in component for key in ("RRULE", "RDATE", "RECURRENCE-ID"))
        if not recurring and not _may_overlap(component, start, lo, hi):
            continue
        kept.append(component)
    calendar.subcomponents = kept


def _assign_zone(event: icalendar.cal.Component, zone: tzinfo) -> None:
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE"):
        props = event.get(name)
        for prop in props if isinstance(props, list) else [props]:
            for value in getattr(prop, "dts", None) or [prop]:
                moment = getattr(value, "dt", None)
                if isinstance(moment, datetime) and moment.tzinfo is None:
                    value.dt = moment.replace(tzinfo=zone)


def _dt(component: icalendar.cal.Component, name: str) -> Any:
    """The decoded value of a date/time property, or None: absent, or a value icalendar could
    not read (its BrokenCalendarProperty raises on access). The union type is wide."""
    try:
        return getattr(component.get(name), "dt", None)
    except Exception:
        return None


def _rough_utc(value: date) -> datetime:
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _may_overlap(event: icalendar.cal.Component, start: date, lo: datetime, hi: datetime) -> bool:
    try:
        begin = _rough_utc(start)
        duration = _dt(event, "DURATION")
        if "DTEND" in event:
            end = _rough_utc(_dt(event, "DTEND"))
        elif isinstance(duration, timedelta):
            end = begin + abs(duration)
        else:
            end = begin + timedelta(days=1)
    except Exception:
        return True  # unsure (a broken DTEND): let the expansion decide
    return begin < hi and lo < max(end, begin)


def _guess_zone(tzid: str, zone: ZoneInfo) -> tzinfo:
    """A zone for a TZID nobody defines: its "(UTC+02:00) …" offset if named, else ``zone``."""
    match = _OFFSET_NAME.search(tzid)
    if not match:
        return zone
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if sign == "-" else offset)


def _occurrences(
    calendar: icalendar.Calendar, lo: datetime, hi: datetime, result: ImportResult
) -> Iterable[icalendar.cal.Component]:
    try:
        # A failure here only costs time: the expansion by series below gives the same answer.
        return list(recurring_ical_events.of(calendar).between(lo, hi))  # pragma: no mutate
    except _EXPANSION_ERRORS:
        pass
    # One bad series sank the whole expansion: expand each series on its own.
    occurrences: list[icalendar.cal.Component] = []
    timezones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    series: dict[str, list[icalendar.cal.Component]] = {}
    for index, event in enumerate(calendar.subcomponents):
        if event.name == "VEVENT":
            series.setdefault(str(event.get("UID", f"#{index}")), []).append(event)
    for uid, events in series.items():
        single = icalendar.Calendar()
        single.subcomponents = [*timezones, *events]
        try:
            occurrences.extend(recurring_ical_events.of(single).between(lo, hi))
        except _EXPANSION_ERRORS as error:
            result.problems.append(Problem("bad_recurrence", f"{uid}: {error}"[:200]))
    return occurrences


def _is_free(event: icalendar.cal.Component) -> bool:
    # Not mutated: icalendar's names are caseless, and any default for a missing one reads busy.
    if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":  # pragma: no mutate
        return True
    if str(event.get("TRANSP", "")).strip().upper() == "TRANSPARENT":  # pragma: no mutate
        return True
    busy_status = event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")  # pragma: no mutate
    return str(busy_status).strip().upper() == "FREE"


def _instant(value: date, zone: tzinfo) -> datetime:
    if not isinstance(value, datetime):
        # All-day: local midnight in the organisation's zone.
        return datetime(value.year, value.month, value.day, tzinfo=zone).astimezone(UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=zone).astimezone(UTC)
    return value.astimezone(UTC)


def _busy_interval(
    event: icalendar.cal.Component,
    zone: ZoneInfo,
    result: ImportResult,
) -> BusyInterval | None:
    if _is_free(event):
        return None
    uid = str(event["UID"]) if "UID" in event else None
    try:
        start_value = _dt(event, "DTSTART")
        end_value = _dt(event, "DTEND") if "DTEND" in event else start_value
        if not isinstance(start_value, date) or not isinstance(end_value, date):
            raise TypeError("DTSTART or DTEND is not a date or a date-time")
        start = _instant(start_value, zone)
        end = _instant(end_value, zone)
        if not isinstance(start_value, datetime) and end <= start:
            end = _instant(start_value + timedelta(days=1), zone)
    except Exception as error:  # a broken value in one occurrence skips that one only
        result.problems.append(Problem("invalid_event", f"{uid}: {error}"[:200]))
        return None
    if end < start:
        result.problems.append(Problem("end_before_start", uid or ""))
        return None
    if end == start:
        return None  # an event that takes no time blocks nothing (RFC 5545 3.6.1)
    return BusyInterval(start, end, uid[:255] if uid else None)


def _free_busy_periods(
    calendar: icalendar.Calendar, window_start: datetime, window_end: datetime
) -> Iterator[BusyInterval]:
    for component in calendar.walk("VFREEBUSY"):
        uid = str(component["UID"]) if "UID" in component else None
        props = component.get("FREEBUSY", [])
        for prop in props if isinstance(props, list) else [props]:
            if str(prop.params.get("FBTYPE", "BUSY")).upper() not in _FREE_BUSY_TYPES:
                continue
            values = [p.dt for p in getattr(prop, "dts", [])] or [getattr(prop, "dt", None)]
            for value in values:
                if not isinstance(value, tuple) or len(value) != 2:
                    continue
                begin, until = value
                if isinstance(until, timedelta):
                    until = begin + until
                if not isinstance(begin, datetime) or not isinstance(until, datetime):
                    continue
                start, end = _rough_utc(begin), _rough_utc(until)
                if start < end and overlaps(start, end, window_start, window_end):
                    yield BusyInterval(max(start, window_start), min(end, window_end), uid)
