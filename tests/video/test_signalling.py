"""The waiting room and the signalling, through the real socket of a live server."""

from __future__ import annotations

import asyncio

import pytest
from flask import Flask
from sqlalchemy import select

from scheduler.extensions import db
from tests.factories import Factories
from tests.video.helpers import (
    SignalClient,
    aiortc_call,
    links_for,
    live_server,
    ticket_of,
    video_booking,
)


@pytest.fixture
def room(app: Flask, make: Factories):  # type: ignore[no-untyped-def]
    app.config.update(TURN_URLS=["turn:turn.example.fi:3478"], TURN_SECRET="turn-secret")
    booking = video_booking(make)
    links = links_for(booking)
    with live_server(app) as base:
        yield base, links


def test_waiting_family_learns_nothing_of_the_call_until_admitted(room) -> None:  # type: ignore[no-untyped-def]
    base, links = room
    family = SignalClient(base, ticket_of(base, links.family))
    welcome = family.expect("welcome")
    assert welcome["admitted"] is False
    assert family.expect("host-present")["present"] is False

    worker = SignalClient(base, ticket_of(base, links.worker))
    worker_pid = worker.expect("welcome")["you"]["pid"]
    assert "iceServers" in worker.expect("admitted")
    lobby = worker.expect(
        "lobby",
        waiting=[{"pid": welcome["you"]["pid"], "name": "Liisa Virtanen", "kind": "family"}],
    )
    assert lobby
    assert family.expect("host-present")["present"] is True

    # The worker tries to reach the family before admitting: nothing gets through.
    worker.send({"type": "signal", "to": welcome["you"]["pid"], "data": {"candidate": {}}})
    worker.send({"type": "seen", "pid": welcome["you"]["pid"]})
    family.expect("seen")
    before = family.drain(0.5)
    everything = family.seen
    assert any(m["type"] == "seen" for m in everything), everything
    assert all(m["type"] in ("welcome", "host-present", "seen") for m in everything), everything
    assert not any("iceServers" in m for m in before)

    worker.send({"type": "admit", "pid": welcome["you"]["pid"]})
    admitted = family.expect("admitted")
    turn = admitted["iceServers"][0]
    assert turn["urls"] == ["turn:turn.example.fi:3478"] and turn["credential"]
    assert family.expect("peer-joined")["pid"] == worker_pid
    assert worker.expect("lobby", waiting=[])
    worker.expect("peer-joined", pid=welcome["you"]["pid"])
    family.close()
    worker.close()


def test_admitted_family_comes_back_without_waiting_after_a_dropped_socket(room) -> None:  # type: ignore[no-untyped-def]
    base, links = room
    family_ticket = ticket_of(base, links.family)
    family = SignalClient(base, family_ticket)
    pid = family.expect("welcome")["you"]["pid"]
    worker = SignalClient(base, ticket_of(base, links.worker))
    worker.expect("lobby", waiting=[{"pid": pid, "name": "Liisa Virtanen", "kind": "family"}])
    worker.send({"type": "admit", "pid": pid})
    family.expect("admitted")
    family.close()
    worker.expect("peer-left", pid=pid)

    again = SignalClient(base, family_ticket, sid=family.sid)
    assert again.expect("welcome")["admitted"] is True
    again.expect("admitted")
    worker.expect("peer-joined", pid=pid, sid=family.sid)
    again.close()
    worker.close()


def test_removed_participant_is_sent_out_and_their_link_stops_working(room) -> None:  # type: ignore[no-untyped-def]
    import requests

    base, links = room
    family = SignalClient(base, ticket_of(base, links.family))
    pid = family.expect("welcome")["you"]["pid"]
    worker = SignalClient(base, ticket_of(base, links.worker))
    worker.expect("lobby", waiting=[{"pid": pid, "name": "Liisa Virtanen", "kind": "family"}])
    worker.send({"type": "remove", "pid": pid})
    family.expect("removed")
    family.expect("__closed__")
    assert requests.get(base + "/" + links.family.split("/", 3)[3], timeout=5).status_code == 404
    worker.close()


def test_worker_ends_the_meeting_for_everyone(room) -> None:  # type: ignore[no-untyped-def]
    import requests

    base, links = room
    family = SignalClient(base, ticket_of(base, links.family))
    pid = family.expect("welcome")["you"]["pid"]
    worker = SignalClient(base, ticket_of(base, links.worker))
    worker.expect("lobby", waiting=[{"pid": pid, "name": "Liisa Virtanen", "kind": "family"}])
    worker.send({"type": "admit", "pid": pid})
    family.expect("admitted")
    worker.send({"type": "end"})
    family.expect("ended")
    worker.expect("ended")
    page = requests.get(base + "/" + links.family.split("/", 3)[3], timeout=5)
    assert page.status_code == 410


def test_family_cannot_admit_itself(room) -> None:  # type: ignore[no-untyped-def]
    base, links = room
    family = SignalClient(base, ticket_of(base, links.family))
    pid = family.expect("welcome")["you"]["pid"]
    family.send({"type": "admit", "pid": pid})
    family.send({"type": "invite", "kind": "colleague"})
    assert not any(m["type"] in ("admitted", "invited") for m in family.drain(0.8))
    family.close()


def test_worker_invites_a_guest_who_waits_and_is_admitted(room) -> None:  # type: ignore[no-untyped-def]
    base, links = room
    worker = SignalClient(base, ticket_of(base, links.worker))
    worker.expect("welcome")
    worker.send({"type": "invite", "kind": "interpreter"})
    link = worker.expect("invited")["link"]
    assert link.startswith(base + "/video/join/")
    guest = SignalClient(base, ticket_of(base, link))
    guest_pid = guest.expect("welcome")["you"]["pid"]
    worker.expect("lobby", waiting=[{"pid": guest_pid, "name": "Tulkki", "kind": "interpreter"}])
    worker.send({"type": "admit", "pid": guest_pid})
    guest.expect("admitted")
    guest.close()
    worker.close()


def test_a_colleague_hosts_sees_roles_and_chosen_names_and_admits_everyone(room) -> None:  # type: ignore[no-untyped-def]
    from scheduler.booking import meetings
    from scheduler.models import Booking

    base, links = room
    booking = db.session.scalar(select(Booking))
    parent_link = meetings.invite_participant(booking, "parent")
    guest_link = meetings.invite_participant(booking, "guest", "Kouluterveydenhoitaja")
    colleague_link = meetings.invite_participant(booking, "colleague", "Perheohjaaja Pia")
    db.session.commit()

    family = SignalClient(base, ticket_of(base, links.family), name="Äiti")
    parent = SignalClient(base, ticket_of(base, parent_link), name="  Isä\t")
    guest = SignalClient(base, ticket_of(base, guest_link))  # keeps the name it was given
    waiting = {
        "family": (family, family.expect("welcome")["you"]),
        "parent": (parent, parent.expect("welcome")["you"]),
        "guest": (guest, guest.expect("welcome")["you"]),
    }
    assert {kind: you["name"] for kind, (_, you) in waiting.items()} == {
        "family": "Äiti",
        "parent": "Isä",
        "guest": "Kouluterveydenhoitaja",
    }
    for client, _ in waiting.values():
        assert client.expect("host-present")["present"] is False

    colleague = SignalClient(base, ticket_of(base, colleague_link))
    you = colleague.expect("welcome")["you"]
    assert you["host"] is True and you["kind"] == "colleague"
    colleague.expect("admitted")  # a professional does not wait
    lobby = sorted(
        [{"pid": y["pid"], "name": y["name"], "kind": kind} for kind, (_, y) in waiting.items()],
        key=lambda entry: entry["pid"],
    )
    colleague.expect("lobby", waiting=lobby)
    for client, _ in waiting.values():
        assert client.expect("host-present")["present"] is True

    colleague.send({"type": "admit-all"})
    for client, _ in waiting.values():
        client.expect("admitted")
    colleague.expect("lobby", waiting=[])
    colleague.drain(0.5)
    joined = {m["pid"] for m in colleague.seen if m["type"] == "peer-joined"}
    assert joined == {y["pid"] for _, y in waiting.values()}
    seen_by_family = [m for m in family.drain(0.5) + family.seen if m["type"] == "peer-joined"]
    assert {m["name"] for m in seen_by_family} >= {"Isä", "Kouluterveydenhoitaja"}
    for m in seen_by_family:  # a name, a role: nothing else of anyone
        assert set(m) == {"type", "sid", "pid", "name", "kind", "host"}
    for client in (family, parent, guest, colleague):
        client.close()


def test_a_waiting_participant_cannot_admit_everyone(room) -> None:  # type: ignore[no-untyped-def]
    base, links = room
    family = SignalClient(base, ticket_of(base, links.family))
    family.expect("welcome")
    family.send({"type": "admit-all"})
    assert not any(m["type"] == "admitted" for m in family.drain(0.8))
    family.close()


def test_aiortc_peers_call_each_other_through_the_signalling(room) -> None:  # type: ignore[no-untyped-def]
    base, links = room
    family = SignalClient(base, ticket_of(base, links.family))
    family_pid = family.expect("welcome")["you"]["pid"]
    worker = SignalClient(base, ticket_of(base, links.worker))
    worker_pid = worker.expect("welcome")["you"]["pid"]
    worker.expect(
        "lobby", waiting=[{"pid": family_pid, "name": "Liisa Virtanen", "kind": "family"}]
    )
    worker.send({"type": "admit", "pid": family_pid})
    family.expect("admitted")
    worker.expect("peer-joined", pid=family_pid)
    frames_worker, frames_family = asyncio.run(aiortc_call(worker, family, worker_pid, family_pid))
    assert frames_worker > 5 and frames_family > 5
    family.close()
    worker.close()
