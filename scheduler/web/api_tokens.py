"""Issuing, revoking and recognising the staff API's tokens (``ApiToken``).

A token is 256 random bits (``scheduler.tokens``), shown once when issued; only its
SHA-256 is kept. The operations flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.kernel import Problem, now_utc
from scheduler.models import ApiToken, Professional, StaffRole, StaffUser, Unit
from scheduler.tokens import new_token, token_hash

# The prefix says what a leaked secret is (for secret scanners); it adds no secrecy.
PREFIX = "etaaika_"


def issue(
    issuer: StaffUser,
    name: str,
    role: StaffRole,
    unit: Unit | None,
    professional: Professional | None,
    expires_at: datetime | None,
) -> tuple[ApiToken, str]:
    """A new token of the issuer's organisation (flushes); returns the row and the secret,
    which is not kept. The caller has checked that the issuer reaches ``unit`` and
    ``professional``; a worker token needs a professional, a unit administrator's a unit."""
    if role == StaffRole.WORKER:
        if professional is None:
            raise Problem(422, "professional_required", "A worker token needs a worker.")
        unit = db.session.get(Unit, professional.unit_id)
    elif role == StaffRole.UNIT_ADMIN:
        if unit is None:
            raise Problem(422, "unit_required", "A unit administrator token needs a unit.")
        professional = None
    else:
        unit, professional = None, None
    now = now_utc()
    if expires_at is not None and expires_at <= now:
        raise Problem(422, "expiry_in_past", "The expiry must be in the future.")
    secret = PREFIX + new_token()
    row = ApiToken(
        organisation_id=issuer.organisation_id,
        unit_id=unit.id if unit is not None else None,
        role=role,
        professional_id=professional.id if professional is not None else None,
        name=name,
        token_hash=token_hash(secret),
        created_at=now,
        created_by_id=issuer.id,
        expires_at=expires_at,
    )
    db.session.add(row)
    db.session.flush()
    return row, secret


def revoke(row: ApiToken) -> None:
    """The token stops working now (flushes); the row stays for the access log's sake."""
    if row.revoked_at is None:
        row.revoked_at = now_utc()
        db.session.flush()


def recognise(secret: str) -> ApiToken | None:
    """The usable token with this secret, or None (unknown, revoked or expired)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if row is None or not row.usable_at(now_utc()):
        return None
    return row


def actor_label(row: ApiToken) -> str:
    """How a token is named in the access log."""
    return f"{row.name} (api-token:{row.id})"[:255]
