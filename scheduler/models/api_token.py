"""API tokens: how a program acts on the staff API (/api/v1/staff) for an organisation.

An administrator issues a token with a role, the same roles as staff accounts (a worker
bound to one professional, a unit administrator, an organisation administrator), and may
give it an expiry. The token is shown once; only its SHA-256 is kept. Revoking keeps the
row, so that the access log's rows that name the token still name something. A token stops
working when the account that issued it is closed (a worker token also when its worker is
no longer active), so that nobody keeps acting through a token after leaving.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.kernel import UTCDateTime, as_utc, enum_column
from scheduler.models.staff import StaffRole

if TYPE_CHECKING:
    from scheduler.models.organisation import Organisation, Unit
    from scheduler.models.service import Professional
    from scheduler.models.staff import StaffUser

_ROLE_LIST = ", ".join(f"'{r.value}'" for r in StaffRole)


class ApiToken(db.Model):  # type: ignore[name-defined]
    """One issued token. It reaches what a staff account of the same organisation, role,
    unit and professional reaches: the staff pages' access rules read these same fields."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_LIST})", name="role_known"),
        CheckConstraint("role != 'unit_admin' OR unit_id IS NOT NULL", name="unit_admin_has_unit"),
        CheckConstraint(
            "role != 'worker' OR professional_id IS NOT NULL", name="worker_has_professional"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole))
    professional_id: Mapped[int | None] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))  # what the administrator called it
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    unit: Mapped[Unit | None] = relationship()
    professional: Mapped[Professional | None] = relationship()
    created_by: Mapped[StaffUser] = relationship()

    @property
    def is_org_admin(self) -> bool:
        return self.role == StaffRole.ORG_ADMIN

    @property
    def is_admin(self) -> bool:
        return self.role in (StaffRole.ORG_ADMIN, StaffRole.UNIT_ADMIN)

    @property
    def issuer_gone(self) -> bool:
        """The account that issued the token is closed, or a worker token's worker is no
        longer active: the token stops with them (an administrator issues a new one)."""
        worker_gone = self.professional is not None and not self.professional.active
        return not self.created_by.active or worker_gone

    def usable_at(self, now: datetime) -> bool:
        """Neither revoked nor expired at ``now``, and its issuer (and worker) still active."""
        return (
            self.revoked_at is None
            and (self.expires_at is None or as_utc(self.expires_at) > now)
            and not self.issuer_gone
        )
