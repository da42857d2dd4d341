"""GET /feeds/<token>.ics: a worker's and a unit's booking feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
import vobject
from flask import Flask
from flask.testing import FlaskClient

from scheduler.extensions import db
from scheduler.ical.feed_data import booking_ics_for
from scheduler.ical.manage import active_feed_tokens, create_feed_token, revoke_feed_token
from scheduler.kernel import now_utc
from tests.factories import Factories
from tests.ical.helpers import add_booking


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_worker_feed_has_bookings_without_client_data(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    service = make.service(name={"fi": "Lastenvalvoja", "sv": "Barnatillsyningsman"})
    pro = make.professional(service)
    soon = now_utc().replace(microsecond=0) + timedelta(days=2)
    confirmed = add_booking(service, pro, soon, sequence=3)
    cancelled = add_booking(
        service,
        pro,
        soon + timedelta(hours=2),
        status="cancelled",
        cancelled_at=now_utc() - timedelta(days=2),
    )
    add_booking(  # cancelled long ago: gone from the feed
        service,
        pro,
        soon + timedelta(hours=4),
        status="cancelled",
        cancelled_at=now_utc() - timedelta(days=31),
    )
    add_booking(service, pro, soon + timedelta(hours=6), status="held")
    other = make.professional(service)
    add_booking(service, other, soon + timedelta(hours=8))
    _, url = create_feed_token(professional=pro)
    db.session.commit()

    response = client.get(path_of(url))
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    body = response.get_data()
    for secret in (b"Salli", b"salli@example.fi", b"+358401234567", b"Huoltajuusriita"):
        assert secret not in body
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [confirmed.uid, cancelled.uid]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CANCELLED"]
    assert int(events[0]["SEQUENCE"]) == 3
    assert str(events[0]["SUMMARY"]) == "Lastenvalvoja"
    assert str(events[0]["URL"]).endswith(f"/staff/agenda?booking={confirmed.id}")
    assert events[0]["DTSTART"].dt.astimezone(UTC) == soon
    assert vobject.readOne(body.decode()).vevent.uid.value == confirmed.uid


def test_etag_and_last_modified_give_304_until_a_booking_changes(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = add_booking(service, pro, now_utc() + timedelta(days=1))
    _, url = create_feed_token(professional=pro)
    db.session.commit()
    first = client.get(path_of(url))
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(path_of(url), headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path_of(url), headers={"If-Modified-Since": modified}).status_code == 304

    for name in ("block_end_at", "end_at", "start_at", "block_start_at"):
        setattr(booking, name, getattr(booking, name) + timedelta(hours=1))
    booking.sequence += 1
    booking.updated_at = now_utc() + timedelta(seconds=5)
    db.session.commit()
    changed = client.get(path_of(url), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert b"SEQUENCE:1" in changed.get_data()
    again = client.get(path_of(url), headers={"If-Modified-Since": modified})
    assert again.status_code == 200


def test_unit_feed_names_the_worker_and_revoked_tokens_stop_working(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    unit = make.unit()
    service = make.service(unit, name={"fi": "Perheneuvonta"})
    pro = make.professional(service, name="Maija Meikäläinen")
    add_booking(service, pro, now_utc() + timedelta(days=1))
    row, url = create_feed_token(unit=unit, language="sv")
    db.session.commit()
    body = client.get(path_of(url)).get_data()
    (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Perheneuvonta – Maija Meikäläinen"
    assert "bokningen" in str(event["DESCRIPTION"])
    assert [t.id for t in active_feed_tokens(unit_id=unit.id)] == [row.id]

    revoke_feed_token(row)
    db.session.commit()
    assert client.get(path_of(url)).status_code == 404
    assert active_feed_tokens(unit_id=unit.id) == []
    assert client.get("/feeds/" + "x" * 43 + ".ics").status_code == 404


def test_only_the_token_hash_is_stored(app: Flask, make: Factories) -> None:
    pro = make.professional()
    row, url = create_feed_token(professional=pro)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(secret) >= 43  # 256 bits, URL-safe
    assert secret not in row.token_hash


def test_family_ics_of_a_booking(app: Flask, make: Factories) -> None:
    service = make.service(name={"fi": "Perheneuvonta", "sv": "Familjerådgivning"})
    pro = make.professional(service)
    start = datetime(2026, 6, 1, 9, tzinfo=UTC)
    booking = add_booking(service, pro, start)
    body = booking_ics_for(booking, "https://etaaika.example.fi/join/t", "sv")
    vevent = vobject.readOne(body.decode()).vevent
    assert vevent.summary.value.startswith("Familjerådgivning")
    assert vevent.description.value == "Anslut till videomötet: https://etaaika.example.fi/join/t"
    assert vevent.dtstart.value.astimezone(UTC) == start
    assert b"Salli" not in body
