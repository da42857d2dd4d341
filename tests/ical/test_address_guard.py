"""Calendar feeds cannot be pointed into the server's own network (no internet needed).

The addresses are checked directly; the fetches go to real HTTP servers on loopback
(127.0.0.1 and 127.0.0.2, both loopback on Linux), which the service must refuse unless
the operator allows them.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest
from flask import Flask

from scheduler import create_app
from scheduler.extensions import db
from scheduler.ical.address_guard import AddressPolicy, AddressRefused, kind_of, resolve
from scheduler.ical.fetch import MAX_REDIRECTS, fetch_feed
from scheduler.ical.manage import add_feed, feed_statuses
from scheduler.ical.sync import refresh_feed
from scheduler.models import CalendarFeed
from tests.conftest import BASE_CONFIG
from tests.factories import Factories
from tests.ical.conftest import FeedServer, serving
from tests.ical.helpers import ics
from tests.ical.test_sync import busy_rows, tomorrow_at

INTERNAL = {
    "127.0.0.1": "loopback",
    "127.255.1.2": "loopback",
    "::1": "loopback",
    "::ffff:127.0.0.1": "loopback",
    "::ffff:7f00:1": "loopback",
    "64:ff9b::7f00:1": "loopback",
    "2002:7f00:1::1": "loopback",
    "10.1.2.3": "private",
    "172.16.0.9": "private",
    "192.168.1.1": "private",
    "::ffff:192.168.1.1": "private",
    "fc00::5": "private",
    "fd12:3456::1": "private",
    "169.254.169.254": "link-local",
    "fe80::1": "link-local",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "0.0.0.0": "unspecified",
    "::": "unspecified",
    "240.0.0.1": "reserved",
    "100.64.0.1": "non-public",
}


@pytest.mark.parametrize(("address", "kind"), sorted(INTERNAL.items()))
def test_internal_addresses_are_named_for_what_they_are(address: str, kind: str) -> None:
    found = kind_of(ipaddress.ip_address(address))
    # Python files some ranges under more than one name; any refusal is a refusal.
    assert found is not None, address
    if kind in ("loopback", "link-local", "multicast", "unspecified"):
        assert found == kind, address


@pytest.mark.parametrize("address", ["8.8.8.8", "195.197.54.100", "2001:4860:4860::8888"])
def test_public_addresses_pass(address: str) -> None:
    assert kind_of(ipaddress.ip_address(address)) is None
    assert AddressPolicy().refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "host", ["127.1", "2130706433", "0x7f000001", "0177.0.0.1", "localhost", "::1", "0"]
)
def test_every_spelling_of_the_server_itself_is_refused(host: str) -> None:
    with pytest.raises(AddressRefused) as refused:
        resolve(host, 80, AddressPolicy())
    assert refused.value.kind in ("loopback", "unspecified")


def test_allow_list_opens_exactly_the_listed_networks() -> None:
    policy = AddressPolicy.from_setting("10.20.0.0/16, 127.0.0.2/32")
    assert policy.refusal(ipaddress.ip_address("10.20.5.5")) is None
    assert policy.refusal(ipaddress.ip_address("::ffff:10.20.5.5")) is None
    assert policy.refusal(ipaddress.ip_address("127.0.0.2")) is None
    assert policy.refusal(ipaddress.ip_address("10.21.0.1")) == "private"
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) == "loopback"
    assert AddressPolicy.from_setting(["10.20.0.0/16"]) == AddressPolicy.from_setting(
        "10.20.0.0/16"
    )
    for off in (None, False, "", "false"):
        assert AddressPolicy.from_setting(off) == AddressPolicy()


def test_allowing_internal_hosts_still_refuses_metadata_multicast_and_unspecified() -> None:
    policy = AddressPolicy.from_setting("true")
    assert policy == AddressPolicy.from_setting(True)
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert policy.refusal(ipaddress.ip_address("192.168.1.1")) is None
    assert policy.refusal(ipaddress.ip_address("169.254.169.254")) == "link-local"
    assert policy.refusal(ipaddress.ip_address("224.0.0.1")) == "multicast"
    assert policy.refusal(ipaddress.ip_address("0.0.0.0")) == "unspecified"
    listed = AddressPolicy.from_setting(["169.254.10.0/24"])
    assert listed.refusal(ipaddress.ip_address("169.254.10.1")) is None


def test_malformed_allow_list_stops_the_start() -> None:
    with pytest.raises(ValueError):
        create_app({**BASE_CONFIG, "FEED_ALLOW_PRIVATE": ["10.0.0.0/33"]})


def test_local_server_is_refused_by_default_and_read_when_allowed(
    feed_server: FeedServer,
) -> None:
    feed_server.state.bodies["/cal.ics"] = ics()
    for url in (
        feed_server.url("/cal.ics"),
        feed_server.url("/cal.ics").replace("127.0.0.1", "127.1"),
        feed_server.url("/cal.ics").replace("127.0.0.1", "2130706433"),
        feed_server.url("/cal.ics").replace("127.0.0.1", "localhost"),
    ):
        refused = fetch_feed(url)
        assert refused.error == "blocked_address", url
        assert refused.body is None
    assert feed_server.state.requests == []

    allowed = fetch_feed(feed_server.url("/cal.ics"), policy=AddressPolicy.from_setting(True))
    assert allowed.error is None and allowed.body == ics()
    assert len(feed_server.state.requests) == 1


def test_redirect_into_loopback_is_refused() -> None:
    # 127.0.0.2 stands for an allowed host; it sends the fetch on to 127.0.0.1, which is not.
    policy = AddressPolicy.from_setting(["127.0.0.2/32"])
    with serving("127.0.0.2") as outside, serving("127.0.0.1") as inside:
        inside.state.bodies["/metrics"] = ics()
        outside.state.redirects["/cal.ics"] = "/hop"
        outside.state.redirects["/hop"] = inside.url("/metrics")
        result = fetch_feed(outside.url("/cal.ics"), policy=policy)
        assert result.error == "blocked_address" and result.body is None
        assert [path for path, _ in outside.state.requests] == ["/cal.ics", "/hop"]
        assert inside.state.requests == []


def test_redirects_are_followed_at_most_five_times(feed_server: FeedServer) -> None:
    policy = AddressPolicy.from_setting(True)
    for n in range(10):
        feed_server.state.redirects[f"/r{n}"] = f"/r{n + 1}"
    feed_server.state.bodies["/r5"] = ics()
    target = feed_server.state.redirects.pop("/r5")

    assert fetch_feed(feed_server.url("/r0"), policy=policy).body == ics()
    feed_server.state.requests.clear()
    result = fetch_feed(feed_server.url("/r3"), policy=policy)
    assert result.error is None  # r3 → r4 → r5: two redirects
    feed_server.state.redirects["/r5"] = target
    feed_server.state.requests.clear()

    result = fetch_feed(feed_server.url("/r0"), policy=policy)
    assert result.error == "too_many_redirects"
    assert len(feed_server.state.requests) == MAX_REDIRECTS + 1


def test_connection_goes_to_the_address_that_was_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    # A name that resolves to an allowed address for the check and to a refused one a
    # moment later (DNS rebinding): the fetch must still go to the first.
    real = socket.getaddrinfo
    answers = ["127.0.0.2", "127.0.0.1", "127.0.0.1"]

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "calendar.example.test":
            host = answers.pop(0) if len(answers) > 1 else answers[0]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    policy = AddressPolicy.from_setting(["127.0.0.2/32"])
    with serving("127.0.0.2") as checked, serving("127.0.0.1") as other:
        checked.state.bodies["/cal.ics"] = b"checked"
        port = int(checked.base.rsplit(":", 1)[1])
        # The other server listens on the same port where it can; either way it must
        # hear nothing.
        result = fetch_feed(f"http://calendar.example.test:{port}/cal.ics", policy=policy)
        assert result.body == b"checked"
        assert other.state.requests == []
        (_path, headers) = checked.state.requests[0]
        assert headers["Host"] == f"calendar.example.test:{port}"


def _feed(make: Factories, url: str) -> CalendarFeed:
    feed = add_feed(make.professional(), url, "Sisäinen")
    db.session.commit()
    return feed


def test_refused_feed_tells_the_administrator_why_in_their_language(
    app: Flask, make: Factories, feed_server: FeedServer
) -> None:
    feed_server.state.bodies["/cal.ics"] = ics((tomorrow_at(9), tomorrow_at(10), "m"))
    feed = _feed(make, feed_server.url("/cal.ics"))
    refresh_feed(feed.id)
    stored = db.session.get(CalendarFeed, feed.id)
    assert stored.last_error == "blocked_address"
    assert busy_rows(feed.id) == [] and feed_server.state.requests == []
    messages = {
        lang: feed_statuses(stored.professional_id, lang)[0].message for lang in ["fi", "sv", "en"]
    }
    assert messages["fi"].startswith("Osoite vie palvelun omaan sisäverkkoon")
    assert messages["sv"].startswith("Adressen leder in i tjänstens eget interna nät")
    assert messages["en"].startswith("The address leads into the service's own internal network")

    app.config["FEED_ALLOW_PRIVATE"] = ["127.0.0.1/32"]
    refresh_feed(feed.id)
    assert db.session.get(CalendarFeed, feed.id).last_error is None
    assert busy_rows(feed.id) == [(tomorrow_at(9), tomorrow_at(10), "m")]


def test_no_part_of_an_answer_is_stored(
    app: Flask, make: Factories, feed_server: FeedServer
) -> None:
    app.config["FEED_ALLOW_PRIVATE"] = True
    secret = b"# HELP etaaika_slot_search_seconds How long a slot search took\n"
    feed_server.state.bodies["/metrics"] = secret
    feed = _feed(make, feed_server.url("/metrics"))
    refresh_feed(feed.id)
    stored = db.session.get(CalendarFeed, feed.id)
    assert stored.last_error == "not_icalendar"
    stored_text = f"{stored.last_error_detail} {stored.report}"
    assert "HELP" not in stored_text and "slot_search" not in stored_text


def test_an_odd_content_length_is_ignored_not_a_failure(feed_server: FeedServer) -> None:
    feed_server.state.bodies["/cal.ics"] = ics()
    result = fetch_feed(feed_server.url("/odd-length"), policy=AddressPolicy.from_setting(True))
    assert result.error is None and result.body == ics()


def test_a_redirect_out_of_the_web_is_refused_and_its_target_not_stored(
    feed_server: FeedServer,
) -> None:
    feed_server.state.redirects["/cal.ics"] = "file:///etc/passwd"
    result = fetch_feed(feed_server.url("/cal.ics"), policy=AddressPolicy.from_setting(True))
    assert result.error == "bad_url" and result.body is None
    assert "passwd" not in result.error_detail
