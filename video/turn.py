"""STUN/TURN servers for the browsers, with coturn's ``use-auth-secret`` credentials.

coturn checks ``password == base64(HMAC-SHA1(static-auth-secret, username))`` where the
username is ``"<unix expiry>:<anything>"``; so the credentials expire by themselves and
the server keeps no list of users.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

CREDENTIAL_TTL_S = 6 * 3600


def url_list(value: object) -> list[str]:
    """Config values come as a JSON list or as comma-separated text."""
    if not value:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(part) for part in value]  # type: ignore[attr-defined]


def turn_credentials(
    secret: str, ident: str, now: datetime, ttl_s: int = CREDENTIAL_TTL_S
) -> tuple[str, str]:
    """(username, password) valid for ``ttl_s`` seconds from ``now``."""
    username = f"{int(now.timestamp()) + ttl_s}:{ident}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(config: Mapping[str, Any], ident: str, now: datetime) -> list[dict[str, Any]]:
    """The RTCPeerConnection ``iceServers`` for one participant."""
    servers: list[dict[str, Any]] = []
    stun = url_list(config.get("STUN_URLS"))
    if stun:
        servers.append({"urls": stun})
    turn = url_list(config.get("TURN_URLS"))
    secret = config.get("TURN_SECRET")
    if turn and secret:
        username, password = turn_credentials(str(secret), ident, now)
        servers.append({"urls": turn, "username": username, "credential": password})
    return servers
