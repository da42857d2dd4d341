"""The busy-time reader's rules one at a time, on small hand-written feeds: which problems
are reported (and with what detail), free/busy periods, recurrences whose parts lie outside
the window, the limit on intervals, and the instants' zone. Expected instants are literal."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from scheduler.ical import busy as busy_module
from scheduler.ical.busy import BusyInterval, ImportResult, read_busy
from scheduler.ical.parse import Problem
from tests.ical.test_busy import HELSINKI, WINDOW, busy, feed, utc

JANUARY = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
BAD_RULE = "UID:badrule\nDTSTART:20260301T080000Z\nDTEND:20260301T090000Z\nRRULE:FREQ=SOMETIMES"


def z(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def read(data: bytes, window: tuple[datetime, datetime] = WINDOW) -> ImportResult:
    result = read_busy(data, *window, HELSINKI)
    assert result.ok, result.error
    return result


def free_busy(*lines: str) -> bytes:
    body = "".join(f"{line}\r\n" for line in lines)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VFREEBUSY\r\n"
        f"{body}END:VFREEBUSY\r\nEND:VCALENDAR\r\n"
    ).encode()


@pytest.fixture
def tokyo_machine() -> Iterator[None]:
    """The process's local zone is Tokyo: nothing may come back in the machine's zone."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "Asia/Tokyo")
        time.tzset()
        yield
    time.tzset()


def test_instants_are_utc_whatever_the_machines_zone(tokyo_machine: None) -> None:
    data = feed(
        "UID:a\nDTSTART;TZID=Europe/Helsinki:20260115T090000\n"
        "DTEND;TZID=Europe/Helsinki:20260115T100000",
        "UID:f\nDTSTART:20260116T090000\nDTEND:20260116T100000",
        "UID:d\nDTSTART;VALUE=DATE:20260117\nDTEND;VALUE=DATE:20260118",
    )
    assert busy(data) == [
        ("2026-01-15T07:00:00+00:00", "2026-01-15T08:00:00+00:00"),
        ("2026-01-16T07:00:00+00:00", "2026-01-16T08:00:00+00:00"),
        ("2026-01-16T22:00:00+00:00", "2026-01-17T22:00:00+00:00"),
    ]


def test_events_are_counted_and_timezones_are_not() -> None:
    data = feed(
        "UID:1\nDTSTART:20260301T080000Z\nDTEND:20260301T090000Z",
        "UID:2\nDTSTART:20200301T080000Z\nDTEND:20200301T090000Z",
        "UID:3\nDTEND:20260301T090000Z",
        timezones="BEGIN:VTIMEZONE\nTZID:Europe/Helsinki\nBEGIN:STANDARD\n"
        "DTSTART:19700101T000000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0200\nEND:STANDARD\n"
        "END:VTIMEZONE\n",
    )
    assert read(data).events_seen == 3


def test_unreadable_property_values_are_reported_by_name() -> None:
    geo = "x" * 300
    data = feed(
        "UID:p\nDTSTART:20260301T080000Z\nDTEND:20260301T090000Z\n"
        f"RRULE:FREQ=WEEKLY;COUNT=x\nGEO:{geo}"
    )
    result = read_busy(data, *WINDOW, HELSINKI)
    invalid = [p for p in result.problems if p.code == "invalid_property"]
    assert invalid[0] == Problem("invalid_property", "RRULE: Expected int, got: x")
    assert invalid[1].detail.startswith("GEO: Expected 'float;float'")
    assert len(invalid[1].detail) == 200


def test_events_without_a_start_are_reported_by_uid() -> None:
    data = feed("UID:nostart\nDTEND:20260301T090000Z", "DTEND:20260301T090000Z")
    result = read(data)
    assert result.intervals == []
    assert result.problems == [
        Problem("event_without_start", "nostart"),
        Problem("event_without_start", ""),
    ]


def test_an_unknown_tzid_is_reported_by_its_first_100_characters() -> None:
    name = "Z" * 150
    data = feed(
        f'UID:t\nDTSTART;TZID="{name}":20260301T090000\nDTEND;TZID="{name}":20260301T100000'
    )
    result = read(data)
    assert result.problems == [Problem("unknown_timezone", "Z" * 100)]
    assert [(i.start, i.end) for i in result.intervals] == [(z(2026, 3, 1, 7), z(2026, 3, 1, 8))]


def test_an_end_before_the_start_is_reported_and_kept_busy() -> None:
    result = read(
        feed(
            "UID:e\nDTSTART:20260301T090000Z\nDTEND:20260301T080000Z",
            "DTSTART:20260302T090000Z\nDTEND:20260302T080000Z",
            "UID:zero\nDTSTART:20260303T090000Z\nDTEND:20260303T090000Z",
        )
    )
    assert result.problems == [Problem("end_before_start", "e"), Problem("end_before_start", "")]
    assert [(i.start, i.end, i.uid) for i in result.intervals] == [
        (z(2026, 3, 1, 8), z(2026, 3, 1, 9), "e"),
        (z(2026, 3, 2, 8), z(2026, 3, 2, 9), None),
    ]


def test_an_end_before_the_start_in_an_unknown_zone_is_found_in_that_zone() -> None:
    # 09:00 to 07:00 at +03:00; read as UTC the end would wrongly come after the start.
    tz = 'TZID="(UTC+03:00) X"'
    result = read(feed(f"UID:e\nDTSTART;{tz}:20260301T090000\nDTEND;{tz}:20260301T070000"))
    assert result.problems == [
        Problem("unknown_timezone", "(UTC+03:00) X"),
        Problem("end_before_start", "e"),
    ]
    assert [(i.start, i.end) for i in result.intervals] == [(z(2026, 3, 1, 4), z(2026, 3, 1, 6))]


def test_a_long_uid_is_cut_to_255_characters() -> None:
    result = read(feed("UID:" + "u" * 300 + "\nDTSTART:20260301T080000Z\nDTEND:20260301T090000Z"))
    assert [i.uid for i in result.intervals] == ["u" * 255]


def test_an_unknown_x_wr_timezone_is_reported_and_times_read_in_the_zone() -> None:
    data = feed(
        "UID:g\nDTSTART:20260115T090000\nDTEND:20260115T100000",
        head="X-WR-TIMEZONE:Mars/Olympus\n",
    )
    result = read(data)
    assert result.problems == [
        Problem("unknown_timezone", "'No time zone found with key Mars/Olympus'")
    ]
    assert [(i.start, i.end) for i in result.intervals] == [(z(2026, 1, 15, 7), z(2026, 1, 15, 8))]
    long_name = "Mars/" + "O" * 250
    long = read(feed("UID:g\nDTSTART:20260115T090000", head=f"X-WR-TIMEZONE:{long_name}\n"))
    assert long.problems == [
        Problem("unknown_timezone", f"'No time zone found with key {long_name}'"[:200])
    ]


def test_an_extra_date_inside_the_window_of_a_series_that_began_long_ago() -> None:
    data = feed("UID:r\nDTSTART:20200105T080000Z\nDTEND:20200105T090000Z\nRDATE:20260107T080000Z")
    assert busy(data) == [(utc(2026, 1, 7, 8), utc(2026, 1, 7, 9))]


def test_an_occurrence_moved_out_of_the_window_leaves_it_free() -> None:
    data = feed(
        "UID:m\nDTSTART:20260105T080000Z\nDTEND:20260105T090000Z\nRRULE:FREQ=WEEKLY;COUNT=3",
        "UID:m\nRECURRENCE-ID:20260112T080000Z\nDTSTART:20300112T080000Z\nDTEND:20300112T090000Z",
    )
    assert busy(data, JANUARY) == [
        (utc(2026, 1, 5, 8), utc(2026, 1, 5, 9)),
        (utc(2026, 1, 19, 8), utc(2026, 1, 19, 9)),
    ]


def test_a_bad_series_is_reported_and_the_others_expanded_on_their_own() -> None:
    my_zone = (
        "BEGIN:VTIMEZONE\nTZID:My Zone\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
        "TZOFFSETFROM:+0500\nTZOFFSETTO:+0500\nEND:STANDARD\nEND:VTIMEZONE"
    )
    data = feed(
        "UID:s\nDTSTART:20260302T080000Z\nDTEND:20260302T090000Z\nRRULE:FREQ=DAILY;COUNT=2",
        "UID:s\nRECURRENCE-ID:20260303T080000Z\nDTSTART:20260303T120000Z\nDTEND:20260303T130000Z",
        "UID:z\nDTSTART;TZID=My Zone:20260304T100000\nDTEND;TZID=My Zone:20260304T110000",
        "DTSTART:20260305T080000Z\nDTEND:20260305T090000Z",
        "DTSTART:20260306T080000Z\nDTEND:20260306T090000Z",
        BAD_RULE,
        "DTSTART:20260301T080000Z\nDTEND:20260301T090000Z\nRRULE:FREQ=SOMETIMES",
        "UID:" + "b" * 250 + "\nDTSTART:20260301T080000Z\nRRULE:FREQ=SOMETIMES",
        timezones=my_zone,
    )
    result = read(data)
    assert [(i.start, i.end, i.uid) for i in result.intervals] == [
        (z(2026, 3, 2, 8), z(2026, 3, 2, 9), "s"),
        (z(2026, 3, 3, 12), z(2026, 3, 3, 13), "s"),
        (z(2026, 3, 4, 5), z(2026, 3, 4, 6), "z"),
        (z(2026, 3, 5, 8), z(2026, 3, 5, 9), None),
        (z(2026, 3, 6, 8), z(2026, 3, 6, 9), None),
    ]
    bad = [p.detail for p in result.problems if p.code == "bad_recurrence"]
    assert bad == [
        "badrule: UNTIL parameter is missing: FREQ=SOMETIMES",
        "#7: UNTIL parameter is missing: FREQ=SOMETIMES",
        ("b" * 250 + ": UNTIL parameter is missing: FREQ=SOMETIMES")[:200],
    ]


def test_free_busy_types_uids_and_empty_periods() -> None:
    data = free_busy(
        "UID:fb",
        "FREEBUSY;FBTYPE=FREE:20260303T080000Z/20260303T090000Z",
        "FREEBUSY;FBTYPE=busy-unavailable:20260301T080000Z/PT1H",
        "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260302T080000Z/PT1H",
        "FREEBUSY:20260304T080000Z/PT0M,20260305T080000Z/PT1H",
    )
    assert read(data).intervals == [
        BusyInterval(z(2026, 3, 1, 8), z(2026, 3, 1, 9), "fb"),
        BusyInterval(z(2026, 3, 2, 8), z(2026, 3, 2, 9), "fb"),
        BusyInterval(z(2026, 3, 5, 8), z(2026, 3, 5, 9), "fb"),
    ]


def test_one_free_busy_line_and_none() -> None:
    assert read(free_busy("UID:one", "FREEBUSY:20260301T080000Z/PT1H")).intervals == [
        BusyInterval(z(2026, 3, 1, 8), z(2026, 3, 1, 9), "one")
    ]
    result = read(free_busy("FREEBUSY:20260301T080000Z/PT1H"))
    assert [i.uid for i in result.intervals] == [None]
    empty = read(free_busy("UID:none"))
    assert (empty.intervals, empty.problems) == ([], [])


def test_a_parser_bug_is_an_unreadable_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(busy_module, "parse_feed", broken)
    result = read_busy(feed("UID:a"), *WINDOW, HELSINKI)
    assert (result.error, result.error_detail) == ("unreadable", "RuntimeError")


def test_a_calendar_that_fails_is_skipped_and_the_next_one_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = busy_module._calendar_busy
    calls: list[int] = []
    message = "x" * 300

    def first_fails(*args: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError(message)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(busy_module, "_calendar_busy", first_fails)
    one = feed("UID:a\nDTSTART:20260301T080000Z\nDTEND:20260301T090000Z")
    result = read_busy(one + one.replace(b"UID:a", b"UID:b"), *WINDOW, HELSINKI)
    assert result.problems == [Problem("calendar_skipped", repr(ValueError(message))[:200])]
    assert [i.uid for i in result.intervals] == ["b"]


def test_at_most_max_intervals_are_kept_and_more_reported() -> None:
    data = feed(
        *(
            f"UID:{day}\nDTSTART:202603{day:02d}T080000Z\nDTEND:202603{day:02d}T090000Z"
            for day in (1, 2, 3)
        )
    )
    exact = read_busy(data, *WINDOW, HELSINKI, max_intervals=3)
    assert ([i.uid for i in exact.intervals], exact.problems) == (["1", "2", "3"], [])
    cut = read_busy(data, *WINDOW, HELSINKI, max_intervals=2)
    assert [i.uid for i in cut.intervals] == ["1", "2"]
    assert cut.problems == [Problem("too_many_events", "3")]


def test_an_unreadable_end_loses_only_its_own_event() -> None:
    result = read(
        feed(
            "UID:b\nDTSTART:20260115T090000Z\nDTEND:garbage",
            "UID:g\nDTSTART:20260116T090000Z\nDTEND:20260116T100000Z",
        )
    )
    assert [(i.start, i.end, i.uid) for i in result.intervals] == [
        (z(2026, 1, 16, 9), z(2026, 1, 16, 10), "g")
    ]
    assert [p.code for p in result.problems] == ["invalid_property", "bad_recurrence"]
