"""The poll job against real HTTP servers on loopback, and what stored busy times do."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Flask
from sqlalchemy import select

from scheduler.availability import Ask, candidates, free_times
from scheduler.availability.withheld import withheld_professionals
from scheduler.extensions import db
from scheduler.ical.manage import add_feed, feed_statuses, remove_feed, request_refresh
from scheduler.ical.sync import poll_feeds, refresh_feed
from scheduler.kernel import now_utc
from scheduler.models import CalendarFeed, ExternalBusy
from tests.factories import Factories
from tests.ical.conftest import FeedServer
from tests.ical.helpers import ics


def tomorrow_at(hour: int) -> datetime:
    day = (now_utc() + timedelta(days=1)).date()
    return datetime.combine(day, time(hour), tzinfo=UTC)


def busy_rows(feed_id: int) -> list[tuple[datetime, datetime, str | None]]:
    rows = db.session.execute(
        select(ExternalBusy.start_at, ExternalBusy.end_at, ExternalBusy.source_uid)
        .where(ExternalBusy.feed_id == feed_id)
        .order_by(ExternalBusy.start_at)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def connected_feed(make: Factories, server: FeedServer, path: str = "/cal.ics") -> CalendarFeed:
    pro = make.professional()
    feed = add_feed(pro, server.url(path), "Outlook")
    db.session.commit()
    return feed


def test_feed_that_changes_between_fetches_replaces_its_busy_times(
    any_app: Flask, make: Factories, feed_server: FeedServer
) -> None:
    first = (tomorrow_at(8), tomorrow_at(9), "a")
    feed_server.state.bodies["/cal.ics"] = ics(first)
    feed = connected_feed(make, feed_server)
    assert poll_feeds() == 1
    assert busy_rows(feed.id) == [first]

    second = [(tomorrow_at(10), tomorrow_at(11), "b"), (tomorrow_at(12), tomorrow_at(13), "c")]
    feed_server.state.bodies["/cal.ics"] = ics(*second)
    assert poll_feeds() == 0  # not due again yet: safe to run as often as the scheduler likes
    request_refresh(db.session.get(CalendarFeed, feed.id))
    db.session.commit()
    assert poll_feeds() == 1
    assert busy_rows(feed.id) == second
    assert db.session.get(CalendarFeed, feed.id).report["busy"] == 2


def test_unchanged_feed_answers_304_and_keeps_its_busy_times(
    app: Flask, make: Factories, feed_server: FeedServer
) -> None:
    event = (tomorrow_at(8), tomorrow_at(9), "a")
    feed_server.state.bodies["/cal.ics"] = ics(event)
    feed = connected_feed(make, feed_server)
    refresh_feed(feed.id)
    first_success = db.session.get(CalendarFeed, feed.id).last_success_at
    refresh_feed(feed.id)
    _path, headers = feed_server.state.requests[-1]
    assert headers.get("If-None-Match") == db.session.get(CalendarFeed, feed.id).etag
    stored = db.session.get(CalendarFeed, feed.id)
    assert stored.last_success_at >= first_success
    assert stored.last_error is None
    assert busy_rows(feed.id) == [event]


def test_server_that_only_answers_304_is_fresh_but_never_imports(
    app: Flask, make: Factories, feed_server: FeedServer
) -> None:
    feed = connected_feed(make, feed_server, "/always-304")
    refresh_feed(feed.id)
    stored = db.session.get(CalendarFeed, feed.id)
    assert stored.last_success_at is not None and stored.last_imported_at is None
    assert busy_rows(feed.id) == []


def _break(feed: CalendarFeed, server: FeedServer, path: str) -> CalendarFeed:
    stored = db.session.get(CalendarFeed, feed.id)
    stored.url = server.url(path)
    db.session.commit()
    refresh_feed(feed.id)
    return db.session.get(CalendarFeed, feed.id)


def test_broken_servers_keep_the_last_good_data_and_say_why(
    app: Flask, make: Factories, feed_server: FeedServer
) -> None:
    app.config.update(FEED_TIMEOUT_SECONDS=1, FEED_MAX_BYTES=200_000)
    good = (tomorrow_at(8), tomorrow_at(9), "a")
    feed_server.state.bodies["/cal.ics"] = ics(good)
    feed_server.state.bodies["/login"] = b"<html><body>Sign in</body></html>"
    feed = connected_feed(make, feed_server)
    refresh_feed(feed.id)
    last_good = db.session.get(CalendarFeed, feed.id).last_success_at

    for path, code in [
        ("/slow", "timeout"),
        ("/huge", "too_large"),
        ("/500", "server_error"),
        ("/missing", "not_found"),
        ("/login", "not_icalendar"),
    ]:
        stored = _break(feed, feed_server, path)
        assert stored.last_error == code, path
        if path == "/slow":
            # The whole fetch is bounded, not each read: the client hung up mid-answer.
            assert feed_server.state.slow_client_left.wait(timeout=5)
        assert stored.last_success_at == last_good
        assert busy_rows(feed.id) == [good]

    (status,) = feed_statuses(stored.professional_id, "sv")
    assert status.state == "error"
    assert (
        status.message
        == "Adressen ger inte en kalender utan något annat (till exempel en inloggningssida)."
    )
    assert "127.0.0.1" in status.masked_url and "/login" not in status.masked_url
    assert stored.consecutive_failures == 5


def test_unreachable_address_is_reported_in_plain_words(app: Flask, make: Factories) -> None:
    pro = make.professional()
    feed = add_feed(pro, "http://127.0.0.1:9/closed.ics")
    db.session.commit()
    refresh_feed(feed.id)
    (status,) = feed_statuses(pro.id, "fi")
    assert status.state == "never"
    assert status.message.startswith("Kalenteripalvelimeen ei saatu yhteyttä")
    assert not status.withheld  # a feed never read hides no one


def test_imported_busy_times_block_availability(
    app: Flask, make: Factories, feed_server: FeedServer
) -> None:
    service = make.service(duration_min=60, slot_interval_min=60)
    pro = make.professional(service)
    feed_server.state.bodies["/cal.ics"] = ics((tomorrow_at(9), tomorrow_at(10), "meeting"))
    add_feed(pro, feed_server.url("/cal.ics"))
    db.session.commit()
    poll_feeds()
    day = (tomorrow_at(0), tomorrow_at(23))
    found = free_times(Ask(service.id, *day, now=now_utc()))
    assert found is not None
    starts = {s.start for s in found.slots()}
    assert tomorrow_at(8) in starts  # 10.00 Helsinki in summer / 11.00 in winter, still open
    assert tomorrow_at(9) not in starts


def test_stale_feed_withholds_the_worker_unless_the_organisation_chose_warn(
    app: Flask, make: Factories, feed_server: FeedServer
) -> None:
    app.config["FEED_STALE_HOURS"] = 12
    service = make.service()
    pro = make.professional(service)
    other = make.professional(service)
    feed_server.state.bodies["/cal.ics"] = ics((tomorrow_at(9), tomorrow_at(10), "m"))
    feed = add_feed(pro, feed_server.url("/cal.ics"))
    db.session.commit()
    assert withheld_professionals([pro.id, other.id]) == set()  # never read: hides no one

    refresh_feed(feed.id)
    assert withheld_professionals([pro.id, other.id]) == set()
    assert [p.id for p in candidates.candidates(service)] == [pro.id, other.id]

    stored = db.session.get(CalendarFeed, feed.id)
    stored.last_success_at = now_utc() - timedelta(hours=13)
    db.session.commit()
    assert withheld_professionals([pro.id, other.id]) == {pro.id}
    assert [p.id for p in candidates.candidates(service)] == [other.id]
    day = (tomorrow_at(0), tomorrow_at(23))
    named = free_times(Ask(service.id, *day, worker_id=pro.id))
    # Asked for by name, the worker is said to be withheld: no fall-back to anyone else.
    assert named is not None and named.withheld == (pro.id,) and named.slots() == []
    anyone = free_times(Ask(service.id, *day))
    assert anyone is not None and anyone.withheld == (pro.id,)
    assert {w for s in anyone.slots() for w in s.worker_ids} == {other.id}
    (status,) = feed_statuses(pro.id, "en")
    assert status.state == "stale" and status.withheld
    assert "not offered for booking" in status.message

    service.organisation.settings = {"calendar_feed_stale_policy": "warn"}
    db.session.commit()
    assert withheld_professionals([pro.id, other.id]) == set()
    (status,) = feed_statuses(pro.id, "fi")
    assert not status.withheld
    assert "voivat olla päällekkäin" in status.message


def test_removing_a_feed_forgets_its_busy_times(
    app: Flask, make: Factories, feed_server: FeedServer
) -> None:
    feed_server.state.bodies["/cal.ics"] = ics((tomorrow_at(9), tomorrow_at(10), "m"))
    feed = connected_feed(make, feed_server)
    refresh_feed(feed.id)
    assert busy_rows(feed.id)
    remove_feed(db.session.get(CalendarFeed, feed.id))
    db.session.commit()
    assert busy_rows(feed.id) == []
    assert db.session.get(CalendarFeed, feed.id) is None


def test_only_web_addresses_are_accepted(app: Flask, make: Factories) -> None:
    pro = make.professional()
    for bad in ("file:///etc/passwd", "ftp://example.fi/x.ics", "not a url"):
        try:
            add_feed(pro, bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} was accepted")
    feed = add_feed(pro, "webcal://calendar.example.fi/secret/basic.ics")
    assert feed.url == "https://calendar.example.fi/secret/basic.ics"
