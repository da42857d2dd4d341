"""Development channel: messages are written to the log instead of being sent."""

from __future__ import annotations

import logging

from notifications.channels.base import Channel, Outgoing

log = logging.getLogger("notifications.outgoing")


class LogChannel(Channel):
    """Writes each message to the ``notifications.outgoing`` log (development only:
    the log then holds what the message holds)."""

    def __init__(self, kind: str) -> None:
        self.name = f"log:{kind}"

    def send(self, message: Outgoing) -> None:
        if message.subject is not None:
            log.info("e-mail to %s: %s\n%s", message.recipient, message.subject, message.text)
        else:
            log.info("SMS to %s: %s", message.recipient, message.text)
