"""The pure export: feeds and a family's .ics, read back by three parsers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import vobject

from scheduler.ical.export import FeedEvent, booking_ics, fold, render_feed

HELSINKI = ZoneInfo("Europe/Helsinki")
STAMP = datetime(2026, 3, 1, 12, tzinfo=UTC)


def event(i: int, start: datetime, **kw: object) -> FeedEvent:
    fields: dict[str, object] = {
        "uid": f"b{i}@etaaika",
        "sequence": 2,
        "start": start,
        "end": start + timedelta(minutes=45),
        "summary": "Lastenvalvoja; huolto, asuminen",
        "url": f"https://etaaika.example.fi/staff/agenda?booking={i}",
        "stamp": STAMP,
        **kw,
    }
    return FeedEvent(**fields)  # type: ignore[arg-type]


WINTER = datetime(2026, 3, 27, 7, tzinfo=UTC)  # 9.00 in Helsinki (EET)
SUMMER = datetime(2026, 3, 30, 6, tzinfo=UTC)  # 9.00 in Helsinki (EEST)
EVENTS = [
    event(1, WINTER),
    event(2, SUMMER),
    event(3, SUMMER + timedelta(days=1), cancelled=True, sequence=5),
]


def test_feed_is_read_back_by_icalendar_with_helsinki_times_across_dst() -> None:
    body = render_feed(EVENTS, "Etäaika – Maija Meikäläinen")
    calendar = icalendar.Calendar.from_ical(body)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Helsinki"]
    events = calendar.walk("VEVENT")
    assert [e["DTSTART"].dt.astimezone(UTC) for e in events] == [e.start for e in EVENTS]
    assert [e["DTSTART"].dt.astimezone(HELSINKI).hour for e in events] == [9, 9, 9]
    assert [str(e["UID"]) for e in events] == ["b1@etaaika", "b2@etaaika", "b3@etaaika"]
    assert [int(e["SEQUENCE"]) for e in events] == [2, 2, 5]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert str(events[0]["SUMMARY"]) == "Lastenvalvoja; huolto, asuminen"
    assert str(calendar["X-WR-CALNAME"]) == "Etäaika – Maija Meikäläinen"


def test_feed_is_expanded_by_recurring_ical_events() -> None:
    calendar = icalendar.Calendar.from_ical(render_feed(EVENTS, "x"))
    found = recurring_ical_events.of(calendar).between(
        datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 30, tzinfo=UTC)
    )
    assert sorted(e["DTSTART"].dt.astimezone(UTC) for e in found) == [e.start for e in EVENTS]


def test_feed_is_read_by_an_independent_parser() -> None:
    body = render_feed(EVENTS, "Etäaika – Työntekijä")
    calendar = vobject.readOne(body.decode("utf-8"))
    events = list(calendar.vevent_list)
    assert [e.dtstart.value.astimezone(UTC) for e in events] == [e.start for e in EVENTS]
    assert [e.dtend.value.astimezone(UTC) for e in events] == [e.end for e in EVENTS]
    assert events[0].summary.value == "Lastenvalvoja; huolto, asuminen"
    assert events[2].status.value == "CANCELLED"
    # vobject builds the zone from our VTIMEZONE block: check it agrees with tzdata in summer.
    assert events[1].dtstart.value.utcoffset() == timedelta(hours=3)


def test_long_non_ascii_lines_are_folded_at_75_octets_without_splitting_letters() -> None:
    name = "Sosiaaliohjaus – lapsiperheiden palvelut, ääkkösiä ja öitä " * 3
    body = render_feed([event(9, WINTER, summary=name)], name)
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # every folded piece is whole UTF-8
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]) == name
    assert fold("a" * 75) == "a" * 75


def test_feed_carries_only_service_time_status_and_agenda_link() -> None:
    body = render_feed(EVENTS, "x").decode()
    names = {
        line.split(":")[0].split(";")[0]
        for line in body.split("\r\n")
        if line and not line.startswith(" ")
    }
    event_props = {
        "UID",
        "DTSTAMP",
        "LAST-MODIFIED",
        "SEQUENCE",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "DESCRIPTION",
        "URL",
        "CLASS",
        "STATUS",
        "TRANSP",
    }
    calendar_props = {
        "BEGIN",
        "END",
        "VERSION",
        "PRODID",
        "CALSCALE",
        "METHOD",
        "X-WR-CALNAME",
        "X-WR-TIMEZONE",
        "REFRESH-INTERVAL",
        "X-PUBLISHED-TTL",
        "TZID",
        "X-LIC-LOCATION",
        "TZOFFSETFROM",
        "TZOFFSETTO",
        "TZNAME",
        "RRULE",
    }
    assert names <= event_props | calendar_props
    assert "ATTENDEE" not in body and "ORGANIZER" not in body


def test_other_zones_get_a_vtimezone_from_the_tz_database() -> None:
    body = render_feed([event(1, WINTER)], "x", zone_name="Europe/Stockholm")
    calendar = icalendar.Calendar.from_ical(body)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert calendar.walk("VEVENT")[0]["DTSTART"].dt.astimezone(UTC) == WINTER


def test_family_ics_has_the_join_link_in_the_family_language() -> None:
    common = {
        "uid": "b1@etaaika",
        "sequence": 1,
        "start": SUMMER,
        "end": SUMMER + timedelta(minutes=45),
        "join_url": "https://etaaika.example.fi/join/abc",
        "manage_url": "https://etaaika.example.fi/booking/xyz",
        "stamp": STAMP,
    }
    texts = {
        "fi": ("Perheneuvonta", "Liity videotapaamiseen", "Siirrä tai peru aika"),
        "sv": ("Familjerådgivning", "Anslut till videomötet", "Flytta eller avboka tiden"),
        "en": ("Family counselling", "Join the video meeting", "Move or cancel the appointment"),
    }
    for lang, (service, join, manage) in texts.items():
        body = booking_ics(service_name=service, lang=lang, **common)  # type: ignore[arg-type]
        parsed = vobject.readOne(body.decode())
        vevent = parsed.vevent
        assert vevent.summary.value == service
        assert vevent.description.value == (
            f"{join}: https://etaaika.example.fi/join/abc\n"
            f"{manage}: https://etaaika.example.fi/booking/xyz"
        )
        assert vevent.url.value == "https://etaaika.example.fi/join/abc"
        assert vevent.dtstart.value.astimezone(UTC) == SUMMER
        assert vevent.uid.value == "b1@etaaika"
        icalendar.Calendar.from_ical(body)


def test_family_ics_for_a_phone_time_and_a_cancellation() -> None:
    body = booking_ics(
        uid="b2@etaaika",
        sequence=3,
        start=WINTER,
        end=WINTER + timedelta(minutes=30),
        service_name="Palveluneuvonta",
        join_url=None,
        lang="fi",
        stamp=STAMP,
        meeting_mode="phone",
        cancelled=True,
    )
    vevent = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 3
    assert str(vevent["SUMMARY"]) == "PERUTTU: Palveluneuvonta"
    assert "soittaa" in str(vevent["DESCRIPTION"])
    assert "URL" not in vevent
