"""No secret link is stored readable: after a booking is made, moved and its meeting
gets a guest, no table holds the manage link, the video join links, the hold token or a
booking-feed address in clear; the messages still carry the links when they are sent."""

from __future__ import annotations

from flask import Flask

from scheduler import booking as ops
from scheduler.booking import meetings
from scheduler.extensions import db
from scheduler.ical.manage import create_feed_token
from tests.factories import Factories
from tests.notifications.booking_helpers import day_ahead, dispatch_immediate
from tests.notifications.conftest import use_smtp
from tests.notifications.servers import SmtpServer, body


def stored_text() -> dict[str, str]:
    """Every row of every table, as text, by table name."""
    return {
        table.name: "\n".join(repr(tuple(row)) for row in db.session.execute(table.select()).all())
        for table in db.metadata.sorted_tables
    }


def test_no_secret_link_is_stored_in_clear_anywhere(
    app: Flask, make: Factories, smtp_server: SmtpServer
) -> None:
    use_smtp(app, smtp_server)
    service = make.service()
    pro = make.professional(service, email="worker@kunta.test")
    _held, hold_token = ops.hold(service, day_ahead(3))
    client = ops.ClientDetails(
        name="Maija Meikäläinen",
        email="maija@example.test",
        phone="040 123 4567",
        language="fi",
        intake_answers={},
    )
    booking, manage_token = ops.confirm(hold_token, client)
    assert booking.meeting_mode == "video"
    join = meetings.family_join_link(booking)
    assert join is not None
    guest = meetings.invite_participant(booking, "interpreter")
    db.session.commit()
    dispatch_immediate()  # the confirmation goes out before the move
    ops.reschedule(booking, day_ahead(4))
    _row, feed_address = create_feed_token(professional=pro)
    db.session.commit()
    dispatch_immediate()

    secrets = {
        "manage token": manage_token,
        "hold token": hold_token,
        "family join link": join.rsplit("/", 1)[1],
        "guest join link": guest.rsplit("/", 1)[1],
        "feed token": feed_address.rsplit("/", 1)[1].removesuffix(".ics"),
    }
    for table, text in stored_text().items():
        for name, secret in secrets.items():
            assert secret not in text, f"the {name} is stored in clear in {table}"

    to_family = [m for m in smtp_server.handler.messages() if m["To"] == "maija@example.test"]
    assert len(to_family) == 2  # the confirmation and the change notice
    for message in to_family:
        assert join in body(message, "plain")
        assert f"/manage/{manage_token}" in body(message, "plain")
