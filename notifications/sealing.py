"""Secret values in the outbox (the family's manage link) are kept encrypted at rest.

A reminder goes out a day or more after the booking, so the link must be stored until
then; the project keeps secrets only hashed or encrypted, never in plain text. The key
is derived from ``SECRET_KEY``: rotating that key makes still-pending sealed messages
unreadable, and the dispatcher marks those failed so that staff see them.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class UnsealError(Exception):
    """The sealed values cannot be opened (the secret key changed, or the data is damaged)."""


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"etaaika outbox sealing"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(values: dict[str, Any], secret_key: str) -> str:
    """Encrypt and authenticate ``values`` (JSON) with a key derived from ``secret_key``."""
    return _fernet(secret_key).encrypt(json.dumps(values).encode()).decode()


def unseal(token: str, secret_key: str) -> dict[str, Any]:
    """Open what :func:`seal` made; raises :class:`UnsealError` when it cannot."""
    try:
        values = json.loads(_fernet(secret_key).decrypt(token.encode()))
    except (InvalidToken, ValueError) as exc:
        raise UnsealError("sealed values cannot be opened (was SECRET_KEY changed?)") from exc
    if not isinstance(values, dict):
        raise UnsealError("sealed values are not an object")
    return values
