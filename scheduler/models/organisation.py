"""Organisations (wellbeing services counties, municipalities) and their units."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db

if TYPE_CHECKING:
    from scheduler.models.service import Service


class Organisation(db.Model):  # type: ignore[name-defined]
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Helsinki")
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["fi", "sv", "en"])
    email_from: Mapped[str | None] = mapped_column(String(255))
    # Free-form settings owned by their features (reminder defaults, feed policy, …).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The region whose public holidays apply, as the `holidays` library's code for a
    # Finnish region ("01" is Åland, which has its own days); none means mainland Finland.
    holiday_region: Mapped[str | None] = mapped_column(String(8))

    units: Mapped[list[Unit]] = relationship(back_populates="organisation", order_by="Unit.id")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Unit(db.Model):  # type: ignore[name-defined]
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # How families reach the unit when something cannot be done online: a phone number
    # (E.164) and when it answers, in fi/sv/en ("ma–pe klo 9–15"). Shown on the service
    # tray and in every message that asks the family to call.
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_hours: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # An on-call unit keeps its hours on public holidays (closures still apply).
    open_on_holidays: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    organisation: Mapped[Organisation] = relationship(back_populates="units")
    services: Mapped[list[Service]] = relationship(back_populates="unit", order_by="Service.id")
