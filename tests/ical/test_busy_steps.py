"""The steps inside the busy-time reader, checked on their own: which events are dropped
before expansion (those that cannot reach the window), and how one occurrence becomes a
busy interval or a reported problem."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from scheduler.ical.busy import ImportResult, _busy_interval, _prepare_events, _rough_utc
from scheduler.ical.parse import Problem
from tests.ical.test_busy import HELSINKI, feed

# The window is 10 March 2026 (UTC); events are kept when they reach two days around it.
WINDOW = (datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))


def z(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def tokyo_machine() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "Asia/Tokyo")
        time.tzset()
        yield
    time.tzset()


def kept(*events: str) -> list[str]:
    calendar = icalendar.Calendar.from_ical(feed(*events))
    result = ImportResult()
    _prepare_events(calendar, *WINDOW, HELSINKI, result)
    assert result.events_seen == len(events)
    return [str(c["UID"]) for c in calendar.subcomponents if c.name == "VEVENT"]


def test_events_that_cannot_reach_two_days_around_the_window_are_dropped(
    tokyo_machine: None,
) -> None:
    assert kept(
        "UID:end-at-margin\nDTSTART:20260307T230000Z\nDTEND:20260308T000000Z",
        "UID:end-in-margin\nDTSTART:20260307T230000Z\nDTEND:20260308T000001Z",
        "UID:start-at-margin\nDTSTART:20260313T000000Z\nDTEND:20260313T010000Z",
        "UID:start-in-margin\nDTSTART:20260312T235959Z\nDTEND:20260313T010000Z",
        "UID:far-future\nDTSTART:20300101T000000Z\nDTEND:20300101T010000Z",
        # 00:00-01:30 Helsinki on 8 March is 22:00-23:30 UTC on the 7th.
        "UID:helsinki\nDTSTART;TZID=Europe/Helsinki:20260308T000000\n"
        "DTEND;TZID=Europe/Helsinki:20260308T013000",
        "UID:floating\nDTSTART:20260307T230000\nDTEND:20260308T000000",
        "UID:all-day-before\nDTSTART;VALUE=DATE:20260307\nDTEND;VALUE=DATE:20260308",
        "UID:all-day-in\nDTSTART;VALUE=DATE:20260307\nDTEND;VALUE=DATE:20260309",
    ) == ["end-in-margin", "start-in-margin", "all-day-in"]


def test_an_event_without_an_end_is_measured_by_its_duration_or_one_day() -> None:
    assert kept(
        "UID:three-hours\nDTSTART:20260307T220000Z\nDURATION:PT3H",
        "UID:minus-three-hours\nDTSTART:20260307T220000Z\nDURATION:-PT3H",
        "UID:two-hours\nDTSTART:20260307T220000Z\nDURATION:PT2H",
        "UID:no-end-noon\nDTSTART:20260307T120000Z",
        "UID:no-end-midnight\nDTSTART:20260307T000000Z",
    ) == ["three-hours", "minus-three-hours", "no-end-noon"]


def test_series_and_unreadable_ends_are_always_kept() -> None:
    assert kept(
        "UID:series\nDTSTART:20200101T080000Z\nDTEND:20200101T090000Z\nRRULE:FREQ=WEEKLY",
        "UID:extra\nDTSTART:20200101T080000Z\nDTEND:20200101T090000Z\nRDATE:20260310T080000Z",
        "UID:moved\nRECURRENCE-ID:20200101T080000Z\nDTSTART:20200101T080000Z\n"
        "DTEND:20200101T090000Z",
        "UID:broken-end\nDTSTART:20200101T080000Z\nDTEND:garbage",
    ) == ["series", "extra", "moved", "broken-end"]


def test_rough_utc_gives_utc_instants(tokyo_machine: None) -> None:
    aware = _rough_utc(datetime(2026, 3, 8, 1, 30, tzinfo=HELSINKI))
    assert (aware, aware.utcoffset()) == (z(2026, 3, 7, 23, 30), timedelta(0))
    floating = _rough_utc(datetime(2026, 3, 8, 1, 30))
    assert (floating, floating.utcoffset()) == (z(2026, 3, 8, 1, 30), timedelta(0))
    assert _rough_utc(date(2026, 3, 8)) == z(2026, 3, 8)


def occurrence(
    start: object, end: object = None, uid: str | None = "u", **extra: str
) -> icalendar.Event:
    event = icalendar.Event()
    if uid is not None:
        event.add("UID", uid)
    for name, value in (("DTSTART", start), ("DTEND", end)):
        if isinstance(value, str):
            event[name] = icalendar.vText(value)
        elif value is not None:
            event.add(name, value)
    for name, value in extra.items():
        event.add(name, value)
    return event


def interval(event: icalendar.Event) -> tuple[object, list[Problem]]:
    result = ImportResult()
    found = _busy_interval(event, HELSINKI, result)
    return (found and (found.start, found.end, found.uid)), result.problems


def test_an_occurrence_is_its_instants_in_utc() -> None:
    assert interval(occurrence(z(2026, 3, 1, 8), z(2026, 3, 1, 9))) == (
        (z(2026, 3, 1, 8), z(2026, 3, 1, 9), "u"),
        [],
    )


def test_an_all_day_occurrence_is_at_least_one_whole_local_day() -> None:
    whole_day = (z(2026, 6, 9, 21), z(2026, 6, 10, 21), "u")
    assert interval(occurrence(date(2026, 6, 10), date(2026, 6, 10))) == (whole_day, [])
    assert interval(occurrence(date(2026, 6, 10))) == (whole_day, [])
    assert interval(occurrence(date(2026, 6, 10), date(2026, 6, 12))) == (
        (z(2026, 6, 9, 21), z(2026, 6, 11, 21), "u"),
        [],
    )


def test_an_occurrence_that_takes_no_time_blocks_nothing_silently() -> None:
    assert interval(occurrence(z(2026, 3, 1, 8), z(2026, 3, 1, 8))) == (None, [])
    assert interval(occurrence(z(2026, 3, 1, 8))) == (None, [])


def test_an_occurrence_ending_before_it_starts_is_reported() -> None:
    assert interval(occurrence(z(2026, 3, 1, 9), z(2026, 3, 1, 8))) == (
        None,
        [Problem("end_before_start", "u")],
    )
    assert interval(occurrence(z(2026, 3, 1, 9), z(2026, 3, 1, 8), uid=None)) == (
        None,
        [Problem("end_before_start", "")],
    )


def test_an_occurrence_with_an_unreadable_time_is_reported() -> None:
    message = "u: DTSTART or DTEND is not a date or a date-time"
    for event in (
        occurrence("garbage", z(2026, 3, 1, 9)),
        occurrence(z(2026, 3, 1, 8), "garbage"),
    ):
        assert interval(event) == (None, [Problem("invalid_event", message)])
    long_uid = "x" * 300
    _, problems = interval(occurrence("garbage", uid=long_uid))
    assert problems == [Problem("invalid_event", f"{long_uid}: {message[3:]}"[:200])]


def test_free_occurrences_give_no_interval() -> None:
    for status in ({"STATUS": "CANCELLED"}, {"TRANSP": "TRANSPARENT"}):
        assert interval(occurrence(z(2026, 3, 1, 8), z(2026, 3, 1, 9), **status)) == (None, [])
