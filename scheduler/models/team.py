"""Team services: a service that needs two or more professionals at once, each from a
pool (one social worker and one family counsellor). A pool's members are linked to the
service as well, so every search reads them with the service's other candidates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column, ForeignKey, Integer, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db

if TYPE_CHECKING:
    from scheduler.models.service import Professional, Service

service_pool_members = Table(
    "service_pool_members",
    db.metadata,
    Column(
        "pool_id", Integer, ForeignKey("service_pools.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "professional_id",
        Integer,
        ForeignKey("professionals.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class ServicePool(db.Model):  # type: ignore[name-defined]
    """One of the professionals a team service needs: any one member of the pool."""

    __tablename__ = "service_pools"
    __table_args__ = (UniqueConstraint("service_id", "position", name="one_pool_per_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    # The first pool (position 0) gives the lead professional: the one the family sees
    # first, who holds the client's data with the booking.
    position: Mapped[int] = mapped_column(Integer, default=0)
    # What the pool's members are, in fi, sv and en ("family counsellor").
    name: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    service: Mapped[Service] = relationship(back_populates="pools")
    members: Mapped[list[Professional]] = relationship(
        secondary=service_pool_members, order_by="Professional.id"
    )
