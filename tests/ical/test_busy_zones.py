"""Times whose TZID nobody defines: the offset named in the TZID, or the organisation's
zone, applied to every date-time of the event (start, end, exceptions, extra dates)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scheduler.ical.busy import _guess_zone, read_busy
from tests.ical.test_busy import HELSINKI, WINDOW, feed


def z(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("tzid", "offset"),
    [
        ("(UTC+03:00) Somewhere", timedelta(hours=3)),
        ("(UTC-05:00) Eastern Time (US & Canada)", timedelta(hours=-5)),
        ("(GMT+05:30) Chennai", timedelta(hours=5, minutes=30)),
        ("(GMT-0330) Newfoundland", timedelta(hours=-3, minutes=-30)),
        ("(UTC+2) Short", timedelta(hours=2)),
        ("(UTC +10:00) Spaced", timedelta(hours=10)),
    ],
)
def test_an_offset_named_in_the_tzid_is_that_offset(tzid: str, offset: timedelta) -> None:
    assert _guess_zone(tzid, HELSINKI) == timezone(offset)


@pytest.mark.parametrize("tzid", ["Somewhere", "UTC+03:00 without brackets", "(CET) Berlin"])
def test_a_tzid_with_no_offset_falls_back_to_the_organisations_zone(tzid: str) -> None:
    assert _guess_zone(tzid, HELSINKI) is HELSINKI


def test_every_date_time_of_a_series_takes_the_guessed_offset() -> None:
    tz = 'TZID="(UTC+03:00) Somewhere"'
    data = feed(
        f"UID:series\nDTSTART;{tz}:20260112T090000\nDTEND;{tz}:20260112T100000\n"
        f"RRULE:FREQ=DAILY;COUNT=3\nEXDATE;{tz}:20260113T090000\n"
        f"RDATE;{tz}:20260120T120000",
        f"UID:series\nRECURRENCE-ID;{tz}:20260114T090000\n"
        f"DTSTART;{tz}:20260114T150000\nDTEND;{tz}:20260114T160000",
    )

    result = read_busy(data, *WINDOW, HELSINKI)

    assert [(i.start, i.end) for i in result.intervals] == [
        (z(2026, 1, 12, 6), z(2026, 1, 12, 7)),
        (z(2026, 1, 14, 12), z(2026, 1, 14, 13)),  # moved by its RECURRENCE-ID
        (z(2026, 1, 20, 9), z(2026, 1, 20, 10)),  # the extra date
    ]
    assert result.problem_counts().get("unknown_timezone", 0) >= 1


def test_an_unknown_tzid_without_an_offset_is_read_in_the_organisations_zone() -> None:
    tz = "TZID=Somewhere Special"
    data = feed(f"UID:u\nDTSTART;{tz}:20260615T090000\nDTEND;{tz}:20260615T100000")

    result = read_busy(data, *WINDOW, HELSINKI)

    # Helsinki in June is three hours ahead of UTC.
    assert [(i.start, i.end) for i in result.intervals] == [(z(2026, 6, 15, 6), z(2026, 6, 15, 7))]
    assert result.problem_counts() == {"unknown_timezone": 1}
