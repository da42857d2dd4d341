"""In development every message the service writes is shown on a bannered page, with its
recipient, channel, subject, text, links and calendar invitation, and in the log."""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_app
from tests.public.conftest import FAMILY, book


def test_every_message_of_a_booking_is_shown_with_its_links_and_invitation(
    client: FlaskClient, demo: object, dev_tools: Flask
) -> None:
    assert "No messages yet" in client.get("/dev/messages?lang=en").text
    token = book(client)
    page = client.get("/dev/messages?lang=en")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Development version" in text  # the banner
    assert FAMILY["email"] in text and "+358401234567" in text  # e-mail and SMS
    assert "E-mail" in text and "Text message" in text
    assert "confirmation (fi)" in text and "staff_notice" in text
    manage = f"http://127.0.0.1:5000/manage/{token}"
    assert re.search(rf'<li><a href="{re.escape(manage)}">', page.text)
    assert "BEGIN:VCALENDAR" in text and "METHOD:REQUEST" in text
    assert "waiting to be sent" in text  # the reminders, due later


def test_the_log_shows_messages_that_go_to_it_in_development(tmp_path: Path) -> None:
    outgoing = logging.getLogger("notifications.outgoing")
    saved_level, saved_handlers = outgoing.level, list(outgoing.handlers)
    try:
        outgoing.setLevel(logging.NOTSET)
        make_app(tmp_path, f"sqlite:///{tmp_path / 'log.db'}", DEV_TOOLS=True)
        assert outgoing.isEnabledFor(logging.INFO)
        assert any(h.level <= logging.INFO for h in outgoing.handlers)
    finally:
        outgoing.setLevel(saved_level)
        outgoing.handlers[:] = saved_handlers
