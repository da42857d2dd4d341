"""The parser's repairs, each with the count it reports: stray lines, empty TZID
parameters, replaceable VTIMEZONE blocks, and the error of a feed nothing can save."""

from __future__ import annotations

import pytest

from scheduler.ical.parse import (
    FeedUnreadable,
    Problem,
    _drop_replaceable_timezones,
    _known_zone,
    _repair_lines,
    parse_feed,
)

EVENT = (
    "BEGIN:VEVENT\r\nUID:a@example.org\r\nDTSTAMP:20270101T000000Z\r\n"
    "DTSTART;TZID=Europe/Helsinki:20270301T090000\r\n"
    "DTEND;TZID=Europe/Helsinki:20270301T100000\r\nEND:VEVENT\r\n"
)


def calendar(*parts: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "".join(parts) + "END:VCALENDAR\r\n").encode()


def vtimezone(tzid: str, offset: str = "+0200") -> str:
    return (
        f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
        f"TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )


def test_an_unreadable_feed_says_why() -> None:
    error = FeedUnreadable("unreadable", "line 3")
    assert (error.code, error.detail, str(error)) == ("unreadable", "line 3", "unreadable: line 3")
    assert FeedUnreadable("empty").detail == ""


@pytest.mark.parametrize(
    ("tzid", "known"),
    [
        ("Europe/Helsinki", True),
        ('"Europe/Helsinki"', True),
        ("/Europe/Helsinki", True),
        ("  Europe/Helsinki  ", True),
        ("FLE Standard Time", True),  # a Windows name the tz database maps
        ("W. Europe Standard Time", True),
        ("Mars/Olympus_Mons", False),
        ("Europe/HelsinkiX", False),  # only quotes, slashes and spaces are trimmed
        ("GMT +0100 (Standard) / GMT +0200 (Daylight)", False),
        ("", False),
        ('""', False),
        ("/", False),
    ],
)
def test_a_zone_is_known_by_its_olson_or_windows_name(tzid: str, known: bool) -> None:
    assert _known_zone(tzid) is known


def test_lines_without_a_value_are_dropped_and_counted() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nstray words\r\n\r\nBEGIN:VEVENT\r\n"
        "SUMMARY:folded\r\n  on\r\nmore stray\r\nDTSTART;TZID=:20270301T090000\r\n"
        "END:VEVENT\r\nlast stray\r\nEND:VCALENDAR\r\n"
    )

    repaired, dropped = _repair_lines(text)

    assert dropped == 3
    assert repaired == (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:folded on\r\n"
        "DTSTART:20270301T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_a_clean_text_loses_no_line() -> None:
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    assert _repair_lines(text) == (text, 0)


def test_known_and_blank_timezone_blocks_are_dropped_and_unknown_ones_kept() -> None:
    unknown = vtimezone("Custom Zone")
    text = (
        "BEGIN:VCALENDAR\r\n"
        + vtimezone("Europe/Helsinki")
        + unknown
        + vtimezone("FLE Standard Time")
        + vtimezone(" ")
        + EVENT
        + "END:VCALENDAR\r\n"
    )

    kept, dropped = _drop_replaceable_timezones(text)

    assert dropped == 3
    assert kept == "BEGIN:VCALENDAR\r\n" + unknown + EVENT + "END:VCALENDAR\r\n"
    assert _drop_replaceable_timezones(EVENT) == (EVENT, 0)


def test_a_broken_timezone_of_a_known_zone_is_dropped_and_the_feed_read() -> None:
    data = calendar(vtimezone("Europe/Helsinki", "+5328"), EVENT)

    parsed = parse_feed(data)

    assert len(parsed.calendars) == 1
    assert Problem("dropped_timezones", "1") in parsed.problems
    assert [p.code for p in parsed.problems if p.code == "dropped_lines"] == []
    events = list(parsed.calendars[0].walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == ["a@example.org"]


def test_a_feed_with_stray_lines_reports_how_many() -> None:
    data = calendar("no value here\r\n", EVENT, "nor here\r\n")

    parsed = parse_feed(data)

    assert [str(e["UID"]) for e in parsed.calendars[0].walk("VEVENT")] == ["a@example.org"]
    assert Problem("dropped_lines", "2") in parsed.problems
    assert [p.code for p in parsed.problems if p.code == "dropped_timezones"] == []
    assert any(p.code == "repaired" and p.detail for p in parsed.problems)


def test_a_good_feed_is_read_with_no_problem() -> None:
    parsed = parse_feed(calendar(EVENT))
    assert parsed.problems == []
    assert len(parsed.calendars) == 1


def test_bare_events_are_wrapped_in_a_calendar_and_that_is_reported() -> None:
    parsed = parse_feed(EVENT.encode())
    assert Problem("repaired_no_calendar") in parsed.problems
    assert [str(e["UID"]) for e in parsed.calendars[0].walk("VEVENT")] == ["a@example.org"]


def test_a_truncated_calendar_is_closed_and_that_is_reported() -> None:
    parsed = parse_feed(("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + EVENT + "\r\n\r\n").encode())
    assert Problem("repaired_truncated") in parsed.problems
    assert [str(e["UID"]) for e in parsed.calendars[0].walk("VEVENT")] == ["a@example.org"]


def test_text_that_is_no_calendar_at_all_is_refused_without_keeping_its_content() -> None:
    # The detail is stored and shown: an answer from an internal address must not leak.
    text = "<html><body>" + "x" * 100 + "</body></html>"
    with pytest.raises(FeedUnreadable) as refused:
        parse_feed(text.encode())
    assert refused.value.code == "not_icalendar"
    assert refused.value.detail == f"{len(text)} characters"


def test_a_value_quoted_together_with_its_tzid_is_unquoted_and_reported() -> None:
    quoted = EVENT.replace(
        "DTSTART;TZID=Europe/Helsinki:20270301T090000",
        'DTSTART;TZID="Europe/Helsinki:20270301T090000"',
    )
    parsed = parse_feed(calendar(quoted))
    assert Problem("repaired", "1 quoted date values") in parsed.problems
    (event,) = parsed.calendars[0].walk("VEVENT")
    assert event["DTSTART"].dt.isoformat() == "2027-03-01T09:00:00+02:00"


def test_a_windows_1252_feed_is_read_and_a_bom_is_dropped() -> None:
    latin = calendar(EVENT.replace("UID:a@example.org", "UID:a@example.org\r\nSUMMARY:Päivä"))
    parsed = parse_feed(latin.decode().encode("cp1252"))
    assert Problem("not_utf8") in parsed.problems
    (event,) = parsed.calendars[0].walk("VEVENT")
    assert str(event["SUMMARY"]) == "Päivä"
    # A byte Windows-1252 does not define is replaced, not a reason to refuse the feed.
    odd = parse_feed(latin.replace(b"UID:a@", b"UID:\x81a@"))
    assert Problem("not_utf8") in odd.problems
    with_bom = parse_feed("\ufeff".encode() + calendar(EVENT))
    assert with_bom.problems == []


def test_the_repair_reports_the_first_error_cut_to_200_characters() -> None:
    stray = "no value here " + "y" * 300
    parsed = parse_feed(calendar(f"{stray}\r\n", EVENT))

    first_error = f"Content line could not be parsed into parts: '{stray}'"
    assert Problem("repaired", first_error[:200]) in parsed.problems


def test_a_feed_nothing_can_save_names_the_error_type() -> None:
    with pytest.raises(FeedUnreadable) as refused:
        parse_feed(b"BEGIN:VCALENDAR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert (refused.value.code, refused.value.detail) == ("unreadable", "ValueError")
