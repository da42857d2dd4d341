"""Creating staff accounts outside the pages (the command line): the first administrator."""

from __future__ import annotations

from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import Organisation, StaffRole, StaffUser, Unit


def create_account(
    org_slug: str, email: str, name: str, role: str, unit_id: int | None = None
) -> StaffUser:
    """A new active staff account; ValueError names what is wrong. Flushes, never commits."""
    org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if org is None:
        raise ValueError(f"no organisation {org_slug!r}")
    if role not in {r.value for r in StaffRole}:
        raise ValueError(f"unknown role {role!r}")
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
        if unit is None or unit.organisation_id != org.id:
            raise ValueError(f"no unit {unit_id} in {org_slug}")
    elif role != StaffRole.ORG_ADMIN:
        raise ValueError("a worker or unit administrator needs --unit")
    email = email.strip().lower()
    if "@" not in email:
        raise ValueError("the e-mail address is not valid")
    taken = db.session.scalar(
        select(func.count())
        .select_from(StaffUser)
        .where(StaffUser.organisation_id == org.id, func.lower(StaffUser.email) == email)
    )
    if taken:
        raise ValueError(f"{email} already has an account in {org_slug}")
    account = StaffUser(
        organisation_id=org.id,
        unit_id=unit_id,
        role=StaffRole(role),
        email=email,
        name=name.strip(),
        active=True,
        created_at=now_utc(),
    )
    db.session.add(account)
    db.session.flush()
    return account
