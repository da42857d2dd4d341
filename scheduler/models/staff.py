"""Staff accounts: who may sign in to the staff pages, in which organisation and role."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.kernel import UTCDateTime, enum_column

if TYPE_CHECKING:
    from scheduler.models.organisation import Organisation, Unit
    from scheduler.models.service import Professional


class StaffRole(enum.StrEnum):
    WORKER = "worker"  # own agenda and own availability
    UNIT_ADMIN = "unit_admin"  # everything of one unit
    ORG_ADMIN = "org_admin"  # everything of the organisation, the access log included


_ROLE_LIST = ", ".join(f"'{r.value}'" for r in StaffRole)


class StaffUser(db.Model):  # type: ignore[name-defined]
    """One person's account. Signs in through the organisation's OpenID provider: the first
    sign-in with a matching e-mail binds the provider's (issuer, subject) to the account."""

    __tablename__ = "staff_users"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_LIST})", name="role_known"),
        CheckConstraint("role != 'unit_admin' OR unit_id IS NOT NULL", name="unit_admin_has_unit"),
        Index("ix_staff_users_oidc", "oidc_issuer", "oidc_subject", unique=True),
        Index("ix_staff_users_org_email", "organisation_id", "email", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole), default=StaffRole.WORKER)
    professional_id: Mapped[int | None] = mapped_column(
        ForeignKey("professionals.id", ondelete="SET NULL"), index=True
    )
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(255))  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    unit: Mapped[Unit | None] = relationship()
    professional: Mapped[Professional | None] = relationship()

    @property
    def is_org_admin(self) -> bool:
        return self.role == StaffRole.ORG_ADMIN

    @property
    def is_admin(self) -> bool:
        return self.role in (StaffRole.ORG_ADMIN, StaffRole.UNIT_ADMIN)
