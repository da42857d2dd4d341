"""API tokens for the staff API tests: issued as an administrator issues them."""

from __future__ import annotations

from datetime import datetime

from scheduler.extensions import db
from scheduler.models import Professional, StaffRole, Unit
from scheduler.web import api_tokens
from tests.staff.conftest import Staff


def issue_token(
    staff: Staff,
    role: str,
    unit: Unit | None = None,
    professional: Professional | None = None,
    expires_at: datetime | None = None,
) -> dict[str, str]:
    """The headers of a request with a new token of ``role`` (committed)."""
    if unit is None and professional is not None:
        unit = db.session.get(Unit, professional.unit_id)
    if unit is None:
        unit = staff.make.unit()
    issuer = staff.user("org_admin", unit=unit)
    _row, secret = api_tokens.issue(
        issuer, f"Integration {role}", StaffRole(role), unit, professional, expires_at
    )
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}
