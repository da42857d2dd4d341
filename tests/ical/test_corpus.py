"""Every file of the shared real-world corpus is imported; the MANIFEST's expectations hold.

The corpus lives beside the checkout (../shared/corpus/ical) and is read in place.
Expected values come from MANIFEST.md, applied to *busy* intervals (after STATUS,
TRANSP and BUSYSTATUS). The organisation's zone is Europe/Helsinki throughout.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.ical.busy import ImportResult, read_busy
from tests.services import SHARED, need_corpus

HELSINKI = ZoneInfo("Europe/Helsinki")

# Files the MANIFEST lists as malformed whose damage the import must report (repaired,
# skipped or unreadable). issue_218 is left out: its quirks (a DATE DTSTART inside a
# VTIMEZONE, "STATUS:Confirmed") are read without losing anything.
MALFORMED = [
    "collective-icalendar/small_bad_calendar.ics",
    "collective-icalendar/broken_ical.ics",
    "collective-icalendar/issue_104_broken_calendar.ics",
    "collective-icalendar/parsing_error.ics",
    "collective-icalendar/issue_165_missing_event.ics",
    "collective-icalendar/issue_722_missing_VTIMEZONE_custom.ics",
    "python-recurring-ical-events/bad_rrule_missing_until_event.ics",
    "python-recurring-ical-events/end_before_start_event.ics",
    "node-ical/bad_custom_ms_tz.ics",
    "node-ical/ms_timezones.ics",
    "ical4j/blankTzid.ics",
    "khal/invalid_tzoffset.ics",
    "icalevents/icloud.ics",
    "libical/spanlist.ics",
    "libical/overlaps.ics",
    "libical/recur-errors.ics",
]


def z(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def read(name: str, start: datetime, end: datetime) -> ImportResult:
    corpus = need_corpus()
    return read_busy((corpus / name).read_bytes(), start, end, HELSINKI)


def spans(name: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    result = read(name, start, end)
    assert result.ok, (result.error, result.error_detail)
    return [(i.start, i.end) for i in result.intervals]


def corpus_files() -> list[str]:
    corpus = SHARED / "corpus" / "ical"
    return sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*.ics")) or ["<missing>"]


@pytest.mark.parametrize("name", corpus_files())
def test_every_corpus_file_is_imported_without_an_exception(name: str) -> None:
    corpus = need_corpus()
    data = (corpus / name).read_bytes()
    result = read_busy(data, z(2020, 1, 1), z(2020, 7, 1), HELSINKI)
    if name in MALFORMED:
        assert result.ok or result.error in {"unreadable", "not_icalendar", "empty"}
    else:
        # The MANIFEST calls this file readable: a refusal would be a lost calendar.
        assert result.ok, (result.error, result.error_detail)
    for interval in result.intervals:
        assert interval.start < interval.end
        assert z(2020, 1, 1) <= interval.start and interval.end <= z(2020, 7, 1)


def test_corpus_has_all_63_files() -> None:
    need_corpus()
    assert len(corpus_files()) == 63


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_corpus_files_are_reported(name: str) -> None:
    result = read(name, z(1990, 1, 1), z(2031, 1, 1))
    assert result.error or result.problems, name


def test_freebusy_periods_are_the_busy_intervals() -> None:
    got = spans(
        "collective-icalendar/issue_27_multiple_periods_in_freebusy_multiple_freebusies.ics",
        z(2012, 1, 1),
        z(2012, 2, 1),
    )
    assert len(got) == 8
    assert got[0] == (z(2012, 1, 3, 9, 15), z(2012, 1, 3, 10, 15))
    assert got[-1] == (z(2012, 1, 31, 9, 15), z(2012, 1, 31, 10, 15))
    assert len(spans("node-ical/vfreebusy-zimbra.ics", z(2000, 1, 1), z(2030, 1, 1))) == 29


def test_outlook_transparent_free_series_blocks_nothing() -> None:
    name = "python-recurring-ical-events/issue_28_rrule_with_UTC_endinginZ.ics"
    assert spans(name, z(2020, 5, 25), z(2020, 9, 5)) == []


def test_exchange_undefined_tzid_and_utc_exdate() -> None:
    got = spans("python-recurring-ical-events/issue_27_t1.ics", z(2020, 4, 25), z(2020, 4, 30))
    assert got == [
        (z(2020, 4, 26, 12), z(2020, 4, 26, 12, 30)),
        (z(2020, 4, 28, 12), z(2020, 4, 28, 12, 30)),
    ]


def test_cancelled_occurrence_is_dropped() -> None:
    got = spans(
        "python-recurring-ical-events/issue_18_cancel_status.ics", z(2020, 1, 1), z(2020, 3, 1)
    )
    assert got == [
        (z(2020, 1, 28, 21), z(2020, 1, 28, 22)),
        (z(2020, 1, 30, 21), z(2020, 1, 30, 22)),
    ]


def test_utc_exdate_against_local_series_across_dst() -> None:
    got = spans(
        "python-recurring-ical-events/each_week_but_one_deleted.ics", z(2019, 1, 1), z(2019, 6, 1)
    )
    starts = [s for s, _ in got]
    assert len(got) == 7
    assert starts[:3] == [z(2019, 3, 3, 23, 30), z(2019, 3, 17, 23, 30), z(2019, 3, 24, 23, 30)]
    assert starts[3:] == [
        z(2019, 3, 31, 22, 30),
        z(2019, 4, 7, 22, 30),
        z(2019, 4, 14, 22, 30),
        z(2019, 4, 21, 22, 30),
    ]


def test_nine_utc_exdates_leave_seven_occurrences() -> None:
    got = spans(
        "python-recurring-ical-events/issue_20_exdate_ignored.ics", z(2019, 1, 1), z(2021, 1, 1)
    )
    berlin = ZoneInfo("Europe/Berlin")
    local = [s.astimezone(berlin) for s, _ in got]
    assert [d.date().isoformat() for d in local] == [
        "2019-10-29",
        "2019-11-12",
        "2019-12-10",
        "2020-01-07",
        "2020-01-14",
        "2020-01-21",
        "2020-01-28",
    ]
    assert all((d.hour, d.minute) == (16, 15) for d in local)
    assert all(e - s == timedelta(minutes=90) for s, e in got)


def test_google_x_wr_timezone_series_keeps_local_time_across_dst() -> None:
    result = read(
        "python-recurring-ical-events/daylight_saving_time.ics", z(2019, 3, 1), z(2019, 5, 1)
    )
    starts = {i.start for i in result.intervals if i.uid == "7uartkcnhf0elbvs8md0itrf6c@google.com"}
    assert {z(2019, 3, 20, 18), z(2019, 4, 24, 17)} <= starts


def test_moved_occurrences_in_sydney() -> None:
    got = spans(
        "python-recurring-ical-events/issue_62_moved_event_2.ics",
        z(2023, 7, 31, 14),
        z(2023, 8, 31, 14),
    )
    sydney = ZoneInfo("Australia/Sydney")
    # The all-day series is TRANSPARENT; the timed one is busy on 8, 14 and 22 August.
    assert [s.astimezone(sydney).date().isoformat() for s, _ in got] == [
        "2023-08-08",
        "2023-08-14",
        "2023-08-22",
    ]


def test_x_wr_timezone_with_utc_times() -> None:
    got = spans(
        "python-recurring-ical-events/x_wr_timezone_simple_events_issue_59.ics",
        z(2021, 12, 1),
        z(2022, 1, 1),
    )
    assert got == [
        (z(2021, 12, 22, 17), z(2021, 12, 22, 18)),
        (z(2021, 12, 23, 2), z(2021, 12, 23, 3)),
    ]


def test_x_wr_timezone_with_floating_times() -> None:
    got = spans(
        "python-recurring-ical-events/issue_86_x_wr_timezone_without_time_zone_in_dt.ics",
        z(2021, 9, 1),
        z(2021, 10, 1),
    )
    assert got == [(z(2021, 9, 16, 19), z(2021, 9, 16, 20, 45))]


def test_opaque_holiday_blocks_the_whole_local_day() -> None:
    got = spans("python-recurring-ical-events/Germany.ics", z(2014, 5, 10), z(2014, 5, 13))
    assert (z(2014, 5, 10, 21), z(2014, 5, 11, 21)) in got


def test_modification_without_master_is_kept() -> None:
    result = read(
        "python-recurring-ical-events/issue_173_only_modifications_error.ics",
        z(2024, 1, 7, 22),
        z(2024, 1, 8, 22),
    )
    uid = "_6krj2dhl74q34b9j60sj4b9k8h238b9p6gok2ba68gojgchl6cpj0h1o88_R20231009T130000@google.com"
    assert uid in {i.uid for i in result.intervals}


def test_range_thisandfuture() -> None:
    got = spans(
        "python-recurring-ical-events/issue_75_range_parameter.ics",
        z(2024, 9, 1),
        z(2024, 9, 22, 23, 59, 59),
    )
    assert len(got) == 12
    assert got[-1] == (z(2024, 9, 22, 14, 22), z(2024, 9, 22, 16, 13))


def test_two_rrules_in_one_event() -> None:
    got = spans("python-recurring-ical-events/multiple_rrule.ics", z(2023, 1, 1), z(2024, 1, 1))
    assert len(got) == 22


def test_exchange_transparent_all_day_and_busy_timed_event() -> None:
    assert spans("icalevents/transparent.ics", z(2021, 1, 1), z(2022, 1, 1)) == [
        (z(2021, 5, 21, 5), z(2021, 5, 21, 20, 30))
    ]


def test_folded_exdate_list_in_eastern_time() -> None:
    got = spans("icalevents/multi_exdate_same_line_ms.ics", z(2022, 3, 1), z(2022, 5, 1))
    new_york = ZoneInfo("America/New_York")
    local = [s.astimezone(new_york) for s, _ in got]
    assert [d.date().isoformat() for d in local] == [
        "2022-03-11",
        "2022-03-25",
        "2022-04-15",
        "2022-04-22",
        "2022-04-29",
    ]
    assert all(d.hour == 11 for d in local)


def test_floating_file_timed_event_is_busy_and_all_day_is_transparent() -> None:
    assert spans("icalevents/floating.ics", z(2021, 1, 1), z(2022, 1, 1)) == [
        (z(2021, 4, 8, 6, 30), z(2021, 4, 8, 14))
    ]


def test_overridden_exchange_series() -> None:
    got = spans("icalevents/recurring_override.ics", z(2021, 11, 22, 23), z(2021, 11, 23, 23))
    starts = {s for s, _ in got}
    assert {z(2021, 11, 23, 9), z(2021, 11, 23, 10, 45), z(2021, 11, 23, 13)} <= starts
    assert z(2021, 11, 23, 12) not in starts


def test_windows_zones_with_a_malformed_quoted_value() -> None:
    # "Log Yesterday's Jira time" (07:00Z) has DTSTART;TZID="W. Europe Standard Time:2020…";
    # it is repaired and read, and it is FREE, so it blocks nothing.
    result = read("node-ical/ms_timezones.ics", z(2020, 6, 1), z(2020, 7, 1))
    assert "event_without_start" not in result.problem_counts()
    assert "repaired" in result.problem_counts()
    assert not [i for i in result.intervals if (i.start.hour, i.start.minute) == (7, 0)]


def test_display_name_tzids_without_vtimezone() -> None:
    got = spans("node-ical/Office-2012-owa.ics", z(2020, 10, 1), z(2020, 11, 3))
    ends = {e.date().isoformat() for _, e in got}
    assert {"2020-10-28", "2020-11-02"} <= ends


def test_customized_time_zone() -> None:
    got = spans("node-ical/bad_ms_tz.ics", z(2020, 8, 1), z(2020, 9, 5))
    assert got[:4] == [
        (z(2020, 8, 25, 14, 35), z(2020, 8, 25, 15, 50)),
        (z(2020, 8, 27, 14, 35), z(2020, 8, 27, 15, 50)),
        (z(2020, 9, 1, 14, 35), z(2020, 9, 1, 15, 50)),
        (z(2020, 9, 3, 14, 35), z(2020, 9, 3, 15, 50)),
    ]


def test_override_before_its_master() -> None:
    result = read("node-ical/google-calendar-kiev-tz.ics", z(2016, 8, 1), z(2016, 9, 1))
    assert z(2016, 8, 26, 11) in {i.start for i in result.intervals}


def test_vtimezone_from_year_0001() -> None:
    assert spans("node-ical/vtimezone-year-0001-dtstart.ics", z(2024, 1, 1), z(2025, 1, 1)) == [
        (z(2024, 6, 1, 8), z(2024, 6, 1, 9))
    ]


def test_transparent_all_day_moves_block_nothing() -> None:
    for name in (
        "node-ical/whole_day_moved_over_dst_change_berlin.ics",
        "node-ical/exchange_whole_day_moved_recurrence.ics",
    ):
        assert spans(name, z(2024, 1, 1), z(2027, 1, 1)) == []


def test_recurrence_ids_in_utc_and_cancelled_instance() -> None:
    assert spans("khal/event_rrule_recuid_cancelled.ics", z(2014, 6, 1), z(2014, 9, 1)) == [
        (z(2014, 6, 30, 5), z(2014, 6, 30, 10)),
        (z(2014, 7, 7, 7), z(2014, 7, 7, 12)),
        (z(2014, 7, 21, 5), z(2014, 7, 21, 10)),
        (z(2014, 7, 28, 5), z(2014, 7, 28, 10)),
        (z(2014, 8, 4, 5), z(2014, 8, 4, 10)),
    ]


def test_invalid_tz_offset_falls_back_to_the_tz_database() -> None:
    result = read("khal/invalid_tzoffset.ics", z(2012, 12, 1), z(2013, 1, 1))
    assert [(i.start, i.end) for i in result.intervals] == [
        (z(2012, 12, 2, 7), z(2012, 12, 2, 8, 30))
    ]
    assert "dropped_timezones" in result.problem_counts()


def test_rdates_exdates_and_moved_instances_of_zimbra_series() -> None:
    got = spans("ical.js/recur_instances.ics", z(2012, 9, 1), z(2013, 5, 1))
    starts = {s for s, _ in got}
    assert z(2012, 10, 2, 22) in starts and z(2012, 10, 2, 17) not in starts
    assert z(2012, 11, 7, 4) in starts and z(2012, 11, 5, 18) not in starts
    assert not starts & {z(2012, 12, 4, 18), z(2013, 2, 5, 18), z(2013, 4, 2, 17)}


def test_finnish_google_feed_with_character_folding() -> None:
    got = spans("raspinfo-apps/calendar_data.ics", z(2021, 1, 1), z(2023, 1, 1))
    assert (z(2021, 10, 28, 13, 15), z(2021, 10, 28, 15, 15)) in got
    assert (z(2022, 5, 11, 14), z(2022, 5, 11, 18)) in got


def test_bare_vevents_without_calendar_wrapper() -> None:
    got = spans("libical/spanlist.ics", z(1997, 1, 1), z(1999, 1, 1))
    assert got[0] == (z(1998, 1, 1), z(1998, 1, 1, 1))
    assert len(got) == 5
