"""Rooms, secret links, their time window, and TURN credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from scheduler.booking import meetings
from scheduler.extensions import db
from tests.factories import Factories
from tests.video.helpers import path_of, video_booking
from video import RoomFull
from video.links import issue_ticket, read_host_link, read_ticket, sign_host_link
from video.models import Kind, Participant, Room
from video.turn import ice_servers, turn_credentials


def test_family_link_is_the_same_every_time_and_only_its_hash_is_stored(
    app: Flask, make: Factories
) -> None:
    booking = video_booking(make)
    first = meetings.family_join_link(booking)
    assert first == meetings.family_join_link(booking)
    secret = first.rsplit("/", 1)[1]  # type: ignore[union-attr]
    assert len(base64.urlsafe_b64decode(secret + "=")) * 8 >= 128
    family = db.session.scalar(select(Participant).where(Participant.kind == "family"))
    assert family is not None
    assert family.link_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(v) for v in family.__dict__.values())
    assert secret not in stored
    assert db.session.scalar(select(Room.booking_id)) == booking.id


def test_phone_booking_has_no_video_link(app: Flask, make: Factories) -> None:
    booking = video_booking(make)
    booking.meeting_mode = "phone"
    assert meetings.family_join_link(booking) is None
    assert meetings.worker_join_link(booking) is None


def test_link_opens_early_and_closes_late_by_configurable_minutes(
    app: Flask, make: Factories
) -> None:
    client = app.test_client()
    early = video_booking(make, starts_in=timedelta(minutes=20))
    link = meetings.family_join_link(early)
    db.session.commit()
    page = client.get(path_of(link))  # type: ignore[arg-type]
    # Before the window: the camera and connection test only, the room still shut.
    assert page.status_code == 200
    assert "Linkki avautuu" in page.text and 'data-check-only="true"' in page.text
    assert 'id="stage-waiting"' not in page.text and 'id="continue-btn"' not in page.text
    app.config["VIDEO_JOIN_EARLY_MIN"] = 25
    page = client.get(path_of(link))  # type: ignore[arg-type]
    assert page.status_code == 200 and 'data-check-only="false"' in page.text
    assert 'id="stage-waiting"' in page.text

    over = video_booking(make, starts_in=timedelta(minutes=-80), length=timedelta(minutes=45))
    late = meetings.family_join_link(over)
    db.session.commit()
    assert client.get(path_of(late)).status_code == 410  # type: ignore[arg-type]
    app.config["VIDEO_JOIN_LATE_MIN"] = 40
    assert client.get(path_of(late)).status_code == 200  # type: ignore[arg-type]


def test_camera_test_works_from_the_family_link_days_before_but_the_room_stays_shut(
    app: Flask, make: Factories
) -> None:
    """The confirmation promises the camera and connection test on the family's link: it
    works at any time before the meeting; the signalling socket (the room) does not."""
    booking = video_booking(make, starts_in=timedelta(days=3))
    link = meetings.family_join_link(booking)
    db.session.commit()
    client = app.test_client()
    page = client.get(path_of(link) + "?lang=en")  # type: ignore[operator]
    assert page.status_code == 200
    assert "You can test your camera, microphone and connection now" in page.text
    assert 'id="test-btn"' in page.text and 'id="allow-btn"' in page.text
    ticket = page.text.split('data-ticket="', 1)[1].split('"', 1)[0]
    # The connection test knows the ticket (a bad offer is a 400, not an unknown 404) ...
    answer = client.post(f"/video/check/{ticket}", json={"type": "offer", "sdp": 5})
    assert answer.status_code == 400
    # ... and a participant still cannot enter the room early.
    from video.views import _ticket_participant

    with app.test_request_context():
        assert _ticket_participant(ticket) is None
        assert _ticket_participant(ticket, early_too=True) is not None


def test_open_page_carries_no_call_secrets_and_no_inline_script(
    app: Flask, make: Factories
) -> None:
    app.config.update(TURN_URLS=["turn:turn.example.fi"], TURN_SECRET="s3cret")
    link = meetings.family_join_link(video_booking(make))
    db.session.commit()
    assert link is not None
    page = app.test_client().get(path_of(link) + "?lang=sv")
    assert page.status_code == 200
    assert "Mötet spelas inte in" in page.text
    assert "turn:" not in page.text and "s3cret" not in page.text
    assert "<script>" not in page.text and "style=" not in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_unknown_or_forged_links_are_not_found(app: Flask, make: Factories) -> None:
    client = app.test_client()
    assert client.get("/video/join/" + "A" * 43).status_code == 404
    assert client.get("/video/host/forged.token").status_code == 404
    assert read_host_link("key", sign_host_link("other-key", 1, 2)) is None
    assert read_ticket("key", issue_ticket("key", 3, 4)) == (3, 4)
    assert read_ticket("key", issue_ticket("key", 3, 4) + "x") is None
    assert read_host_link("key", issue_ticket("key", 3, 4)) is None  # salts differ


def test_worker_link_opens_the_host_page(app: Flask, make: Factories) -> None:
    link = meetings.worker_join_link(video_booking(make))
    db.session.commit()
    page = app.test_client().get(path_of(link))  # type: ignore[arg-type]
    assert page.status_code == 200
    assert 'data-host="true"' in page.text


def test_at_most_six_participants_can_be_invited(app: Flask, make: Factories) -> None:
    booking = video_booking(make)
    links = {
        meetings.invite_participant(booking, "interpreter"),
        meetings.invite_participant(booking, "parent"),
        meetings.invite_participant(booking, "guest", "Terveydenhoitaja"),
        meetings.invite_participant(booking, "colleague", "Perheohjaaja Pia"),
    }
    assert len(links) == 4  # with the worker and the family: six
    with pytest.raises(RoomFull):
        meetings.invite_participant(booking, "colleague")
    with pytest.raises(ValueError, match="cannot invite a worker"):
        meetings.invite_participant(booking, "worker")


def test_a_colleague_joins_as_a_host_and_a_guest_waits(app: Flask, make: Factories) -> None:
    booking = video_booking(make)
    colleague = meetings.invite_participant(booking, "colleague", "Perheohjaaja Pia")
    guest = meetings.invite_participant(booking, "guest", "Terveydenhoitaja")
    db.session.commit()
    client = app.test_client()
    host_page = client.get(path_of(colleague))
    assert host_page.status_code == 200
    assert 'data-host="true"' in host_page.text and 'id="lobby"' in host_page.text
    assert 'id="admit-all-btn"' in host_page.text
    guest_page = client.get(path_of(guest))
    assert guest_page.status_code == 200
    assert 'data-host="false"' in guest_page.text and 'id="lobby"' not in guest_page.text
    assert 'value="Terveydenhoitaja"' in guest_page.text  # the name to keep or change


def test_a_colleague_can_be_removed_but_the_booked_worker_cannot(
    app: Flask, make: Factories
) -> None:
    from video import rooms

    booking = video_booking(make)
    meetings.invite_participant(booking, "colleague", "Perheohjaaja Pia")
    room = db.session.scalar(select(Room))
    assert room is not None
    by_kind = {p.kind.value: p for p in room.participants}
    assert by_kind["colleague"].is_host and by_kind["colleague"].admitted
    rooms.remove(by_kind["colleague"])
    assert by_kind["colleague"].removed_at is not None
    with pytest.raises(ValueError):
        rooms.remove(by_kind["worker"])


@pytest.mark.parametrize(
    ("chosen", "shown"),
    [
        ("  Äiti  ", "Äiti"),
        ("Anna\n\tK.", "Anna K."),
        ("x" * 100, "x" * 60),
        ("   ", "Liisa Virtanen"),
        ("\u200b", "Liisa Virtanen"),
    ],
)
def test_a_chosen_display_name_is_cleaned_and_an_empty_one_keeps_the_name(
    app: Flask, make: Factories, chosen: str, shown: str
) -> None:
    from video import rooms

    meetings.family_join_link(video_booking(make))
    room = db.session.scalar(select(Room))
    assert room is not None
    family = rooms.participant_of(room, Kind.FAMILY)
    rooms.rename(family, chosen)
    assert family.display_name == shown


def test_turn_credentials_follow_coturns_rest_scheme() -> None:
    now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    username, password = turn_credentials("secret", "42", now, ttl_s=3600)
    assert username == f"{int(now.timestamp()) + 3600}:42"
    expected = hmac.new(b"secret", username.encode(), hashlib.sha1).digest()
    assert base64.b64decode(password) == expected
    servers = ice_servers(
        {"STUN_URLS": "stun:a.fi:3478, stun:b.fi", "TURN_URLS": ["turn:t.fi"], "TURN_SECRET": "x"},
        "7",
        now,
    )
    assert servers[0] == {"urls": ["stun:a.fi:3478", "stun:b.fi"]}
    assert servers[1]["urls"] == ["turn:t.fi"] and servers[1]["username"].endswith(":7")
    assert ice_servers({"TURN_URLS": ["turn:t.fi"]}, "7", now) == []


def test_cancelled_booking_closes_its_room(app: Flask, make: Factories) -> None:
    booking = video_booking(make)
    link = meetings.family_join_link(booking)
    assert link is not None
    meetings.close_room(booking)
    db.session.commit()
    assert app.test_client().get(path_of(link)).status_code == 410


def test_a_room_made_in_a_request_is_found_again_without_a_query(
    app: Flask, make: Factories
) -> None:
    """Confirming makes the room without looking for one; the links asked for later in
    the same request come from that room, and the worker's link gets its ids by a flush."""
    booking = video_booking(make)
    db.session.commit()
    room_reads: list[str] = []

    def watch(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "video_rooms" in statement:
            room_reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        meetings.open_room(booking)
        family = meetings.family_join_link(booking)
        worker = meetings.worker_join_link(booking)
        assert meetings.family_join_link(booking) == family
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    assert room_reads == []
    db.session.commit()
    rooms = db.session.scalars(select(Room).where(Room.booking_id == booking.id)).all()
    assert len(rooms) == 1 and len(rooms[0].participants) == 2
    token = worker.rsplit("/", 1)[1]  # type: ignore[union-attr]
    host = read_host_link(app.config["SECRET_KEY"], token)
    assert host is not None and host[0] == rooms[0].id


def test_a_room_rolled_back_is_made_again(app: Flask, make: Factories) -> None:
    booking = video_booking(make)
    db.session.commit()
    first = meetings.family_join_link(booking)
    db.session.rollback()
    second = meetings.family_join_link(booking)
    assert second is not None and second != first
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Room)) == 1
