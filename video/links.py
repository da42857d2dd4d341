"""Secrets of the video links.

- A participant's link carries a random secret of 256 bits; only its SHA-256 is stored.
- The worker's link is signed (itsdangerous, the app's SECRET_KEY) and short-lived: the
  agenda makes a fresh one every time it is shown.
- Opening a link gives the page a *ticket*: a signed, short-lived proof of the participant
  that the signalling socket and the connection test accept.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

HOST_LINK_MAX_AGE_S = 24 * 3600
TICKET_MAX_AGE_S = 12 * 3600


def new_secret() -> str:
    """A URL-safe secret of 256 bits."""
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """The SHA-256 of a link secret; 256 random bits need no salt or slow hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Window:
    """When a room's links open and close."""

    opens_at: datetime
    closes_at: datetime

    @classmethod
    def around(
        cls, starts_at: datetime, ends_at: datetime, early_min: int, late_min: int
    ) -> Window:
        return cls(starts_at - timedelta(minutes=early_min), ends_at + timedelta(minutes=late_min))

    def state(self, now: datetime) -> str:
        """ "early", "open" or "closed"."""
        if now < self.opens_at:
            return "early"
        if now >= self.closes_at:
            return "closed"
        return "open"


def join_url(public_url: str, secret: str) -> str:
    """The public address of a participant's secret link."""
    return f"{public_url.rstrip('/')}/video/join/{secret}"


def host_url(public_url: str, token: str) -> str:
    """The public address of the worker's signed link."""
    return f"{public_url.rstrip('/')}/video/host/{token}"


def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=salt)


def sign_host_link(secret_key: str, room_id: int, participant_id: int) -> str:
    """The signed part of the worker's join link."""
    return _serializer(secret_key, "etaaika-video-host").dumps([room_id, participant_id])


def read_host_link(secret_key: str, token: str) -> tuple[int, int] | None:
    """(room id, participant id) of a valid worker link, else None."""
    try:
        room_id, participant_id = _serializer(secret_key, "etaaika-video-host").loads(
            token, max_age=HOST_LINK_MAX_AGE_S
        )
    except (BadSignature, ValueError, TypeError):
        return None
    return int(room_id), int(participant_id)


def issue_ticket(secret_key: str, room_id: int, participant_id: int) -> str:
    """A ticket for the page of one participant: it opens the socket and the connection test."""
    return _serializer(secret_key, "etaaika-video-ticket").dumps([room_id, participant_id])


def read_ticket(secret_key: str, ticket: str) -> tuple[int, int] | None:
    """(room id, participant id) of a valid ticket, else None."""
    try:
        room_id, participant_id = _serializer(secret_key, "etaaika-video-ticket").loads(
            ticket, max_age=TICKET_MAX_AGE_S
        )
    except (BadSignature, ValueError, TypeError):
        return None
    return int(room_id), int(participant_id)
