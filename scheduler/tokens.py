"""Secret tokens: 256 random bits handed out once, only their hashes kept at rest."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A URL-safe secret of 256 bits."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 of a token; 256 random bits need no salt or slow hash."""
    return hashlib.sha256(token.encode()).hexdigest()
