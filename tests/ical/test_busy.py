"""The pure import: feed bytes → busy intervals, with the rules real feeds need."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from scheduler.ical.busy import BusyInterval, read_busy

HELSINKI = ZoneInfo("Europe/Helsinki")
WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))

# Exchange 2010 writes Helsinki as "FLE Standard Time" with 1601-based rules.
FLE_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:FLE Standard Time
BEGIN:STANDARD
DTSTART:16010101T040000
TZOFFSETFROM:+0300
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0300
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""


def feed(*events: str, head: str = "", timezones: str = "") -> bytes:
    body = "\n".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT" for e in events)
    text = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n"
        f"{head}{timezones}\n{body}\nEND:VCALENDAR\n"
    )
    return text.replace("\n\n", "\n").replace("\n", "\r\n").encode()


def busy(data: bytes, window: tuple[datetime, datetime] = WINDOW) -> list[tuple[str, str]]:
    result = read_busy(data, window[0], window[1], HELSINKI)
    assert result.ok, result.error
    return [(i.start.isoformat(), i.end.isoformat()) for i in result.intervals]


def utc(*args: int) -> str:
    return datetime(*args, tzinfo=UTC).isoformat()  # type: ignore[misc]


def test_fle_standard_time_is_read_as_helsinki_in_winter_and_summer() -> None:
    data = feed(
        "UID:w\nDTSTART;TZID=FLE Standard Time:20260115T090000\n"
        "DTEND;TZID=FLE Standard Time:20260115T100000",
        "UID:s\nDTSTART;TZID=FLE Standard Time:20260615T090000\n"
        "DTEND;TZID=FLE Standard Time:20260615T100000",
        timezones=FLE_VTIMEZONE,
    )
    assert busy(data) == [
        (utc(2026, 1, 15, 7), utc(2026, 1, 15, 8)),
        (utc(2026, 6, 15, 6), utc(2026, 6, 15, 7)),
    ]


def test_windows_zone_name_without_vtimezone_uses_cldr_mapping() -> None:
    data = feed(
        "UID:a\nDTSTART;TZID=W. Europe Standard Time:20260701T090000\n"
        "DTEND;TZID=W. Europe Standard Time:20260701T093000"
    )
    assert busy(data) == [(utc(2026, 7, 1, 7), utc(2026, 7, 1, 7, 30))]


def test_cancelled_transparent_and_free_events_do_not_block() -> None:
    data = feed(
        "UID:1\nDTSTART:20260301T080000Z\nDTEND:20260301T090000Z\nSTATUS:CANCELLED",
        "UID:2\nDTSTART:20260302T080000Z\nDTEND:20260302T090000Z\nTRANSP:TRANSPARENT",
        "UID:3\nDTSTART:20260303T080000Z\nDTEND:20260303T090000Z\nX-MICROSOFT-CDO-BUSYSTATUS:FREE",
        "UID:4\nDTSTART:20260304T080000Z\nDTEND:20260304T090000Z\nSTATUS:TENTATIVE",
        "UID:5\nDTSTART:20260305T080000Z\nDTEND:20260305T090000Z\nX-MICROSOFT-CDO-BUSYSTATUS:OOF",
    )
    assert busy(data) == [
        (utc(2026, 3, 4, 8), utc(2026, 3, 4, 9)),
        (utc(2026, 3, 5, 8), utc(2026, 3, 5, 9)),
    ]


def test_recurrence_with_exdate_override_and_cancelled_instance() -> None:
    data = feed(
        "UID:r\nDTSTART;TZID=Europe/Helsinki:20260302T100000\n"
        "DTEND;TZID=Europe/Helsinki:20260302T110000\n"
        "RRULE:FREQ=WEEKLY;COUNT=6\nEXDATE;TZID=Europe/Helsinki:20260309T100000",
        # Moved: the 16th to the 17th at 12.
        "UID:r\nRECURRENCE-ID;TZID=Europe/Helsinki:20260316T100000\n"
        "DTSTART;TZID=Europe/Helsinki:20260317T120000\nDTEND;TZID=Europe/Helsinki:20260317T130000",
        "UID:r\nRECURRENCE-ID;TZID=Europe/Helsinki:20260323T100000\n"
        "DTSTART;TZID=Europe/Helsinki:20260323T100000\nDTEND;TZID=Europe/Helsinki:20260323T110000\n"
        "STATUS:CANCELLED",
    )
    # DST starts on 29 March 2026: the 30 March and 6 April occurrences are at 07Z.
    assert busy(data) == [
        (utc(2026, 3, 2, 8), utc(2026, 3, 2, 9)),
        (utc(2026, 3, 17, 10), utc(2026, 3, 17, 11)),
        (utc(2026, 3, 30, 7), utc(2026, 3, 30, 8)),
        (utc(2026, 4, 6, 7), utc(2026, 4, 6, 8)),
    ]


def test_rdate_adds_an_occurrence() -> None:
    data = feed(
        "UID:d\nDTSTART:20260105T080000Z\nDTEND:20260105T090000Z\n"
        "RRULE:FREQ=DAILY;COUNT=1\nRDATE:20260107T080000Z"
    )
    assert busy(data) == [
        (utc(2026, 1, 5, 8), utc(2026, 1, 5, 9)),
        (utc(2026, 1, 7, 8), utc(2026, 1, 7, 9)),
    ]


def test_all_day_event_blocks_the_whole_local_days() -> None:
    data = feed("UID:x\nDTSTART;VALUE=DATE:20260610\nDTEND;VALUE=DATE:20260612")
    assert busy(data) == [(utc(2026, 6, 9, 21), utc(2026, 6, 11, 21))]


def test_floating_times_are_read_in_the_organisation_zone() -> None:
    data = feed("UID:f\nDTSTART:20260115T090000\nDTEND:20260115T100000")
    assert busy(data) == [(utc(2026, 1, 15, 7), utc(2026, 1, 15, 8))]


def test_x_wr_timezone_places_floating_times_in_that_zone() -> None:
    data = feed(
        "UID:g\nDTSTART:20260115T090000\nDTEND:20260115T100000",
        head="X-WR-TIMEZONE:Europe/Berlin\n",
    )
    assert busy(data) == [(utc(2026, 1, 15, 8), utc(2026, 1, 15, 9))]


def test_unknown_tzid_is_reported_and_read_by_its_offset_name() -> None:
    data = feed(
        'UID:u\nDTSTART;TZID="(UTC+03:00) Somewhere":20260115T090000\n'
        'DTEND;TZID="(UTC+03:00) Somewhere":20260115T100000'
    )
    result = read_busy(data, *WINDOW, HELSINKI)
    assert result.problem_counts() == {"unknown_timezone": 1}
    assert result.intervals == [
        BusyInterval(
            datetime(2026, 1, 15, 6, tzinfo=UTC), datetime(2026, 1, 15, 7, tzinfo=UTC), "u"
        )
    ]


def test_only_the_window_is_stored_and_long_events_are_clipped() -> None:
    data = feed(
        "UID:old\nDTSTART:20200101T080000Z\nDTEND:20200101T090000Z",
        "UID:long\nDTSTART:20251230T000000Z\nDTEND:20260102T000000Z",
        "UID:daily\nDTSTART:20251201T080000Z\nDTEND:20251201T090000Z\nRRULE:FREQ=DAILY",
    )
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC))
    assert busy(data, window) == [
        (utc(2026, 1, 1), utc(2026, 1, 2)),
        (utc(2026, 1, 1, 8), utc(2026, 1, 1, 9)),
        (utc(2026, 1, 2, 8), utc(2026, 1, 2, 9)),
    ]


def test_free_busy_periods_are_busy_unless_free() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VFREEBUSY\r\nUID:fb\r\n"
        b"FREEBUSY;FBTYPE=BUSY:20260301T080000Z/20260301T090000Z,20260302T080000Z/PT30M\r\n"
        b"FREEBUSY;FBTYPE=FREE:20260303T080000Z/20260303T090000Z\r\n"
        b"END:VFREEBUSY\r\nEND:VCALENDAR\r\n"
    )
    assert busy(data) == [
        (utc(2026, 3, 1, 8), utc(2026, 3, 1, 9)),
        (utc(2026, 3, 2, 8), utc(2026, 3, 2, 8, 30)),
    ]


def test_one_broken_event_does_not_hide_the_others() -> None:
    data = feed(
        "UID:bad\nDTSTART:not-a-date\nDTEND:20260301T090000Z",
        "UID:badrule\nDTSTART:20260301T080000Z\nDTEND:20260301T090000Z\nRRULE:FREQ=SOMETIMES",
        "UID:good\nDTSTART:20260302T080000Z\nDTEND:20260302T090000Z",
    )
    result = read_busy(data, *WINDOW, HELSINKI)
    assert result.ok
    assert (utc(2026, 3, 2, 8), utc(2026, 3, 2, 9)) in [
        (i.start.isoformat(), i.end.isoformat()) for i in result.intervals
    ]
    assert "event_without_start" in result.problem_counts()


def test_unreadable_feeds_give_an_error_code_not_an_exception() -> None:
    assert read_busy(b"", *WINDOW, HELSINKI).error == "empty"
    assert read_busy(b"<html>Sign in</html>", *WINDOW, HELSINKI).error == "not_icalendar"
    garbage = b"BEGIN:VCALENDAR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    assert read_busy(garbage, *WINDOW, HELSINKI).error == "unreadable"


def test_latin1_feed_is_read_and_reported() -> None:
    data = feed("UID:l\nSUMMARY:M\xfcll\nDTSTART:20260301T080000Z\nDTEND:20260301T090000Z")
    data = data.decode().encode("latin-1")
    result = read_busy(data, *WINDOW, HELSINKI)
    assert len(result.intervals) == 1
    assert result.problem_counts() == {"not_utf8": 1}
