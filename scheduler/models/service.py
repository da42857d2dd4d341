"""Services (appointment types) and the professionals who provide them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.kernel import random_version

if TYPE_CHECKING:
    from scheduler.models.organisation import Organisation, Unit
    from scheduler.models.team import ServicePool

MEETING_MODES = ("video", "phone")

service_professionals = Table(
    "service_professionals",
    db.metadata,
    Column("service_id", Integer, ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "professional_id",
        Integer,
        ForeignKey("professionals.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


NAME_RULES = ("required", "nickname", "none")


class Service(db.Model):  # type: ignore[name-defined]
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    # The need a service meets, for grouping the service tray ("family", "children", …).
    category: Mapped[str] = mapped_column(String(32), default="family")
    name: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    description: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    audience: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    duration_min: Mapped[int] = mapped_column(Integer, default=45)
    slot_interval_min: Mapped[int] = mapped_column(Integer, default=15)
    buffer_before_min: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_min: Mapped[int] = mapped_column(Integer, default=0)
    min_notice_min: Mapped[int] = mapped_column(Integer, default=120)
    horizon_days: Mapped[int] = mapped_column(Integer, default=56)
    max_per_worker_per_day: Mapped[int | None] = mapped_column(Integer)
    requires_strong_id: Mapped[bool] = mapped_column(Boolean, default=False)
    meeting_modes: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["video"])
    # [{"id": "reason", "kind": "text"|"choice"|"yesno", "required": bool,
    #   "label": {"fi": …, "sv": …, "en": …}, "options": [{"value": …, "label": {…}}]}]
    intake_questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Sensitive services (child protection) are never named in SMS unless the organisation allows.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{"channel": "sms"|"email", "before_min": 1440}]; None means the default rule.
    reminder_rules: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    staff_notices: Mapped[bool] = mapped_column(Boolean, default=True)
    bookable: Mapped[bool] = mapped_column(Boolean, default=True)
    # An on-call service keeps its hours on public holidays (closures still apply).
    open_on_holidays: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # What the booking form asks of the family's name (NAME_RULES): "required", "nickname"
    # (any name, or none: a low-threshold service that promises anonymity), or "none".
    name_rule: Mapped[str] = mapped_column(
        String(16), default="required", server_default="required"
    )
    # The languages (ISO 639) in which families may ask for an interpreter; none: no asking.
    interpreter_languages: Mapped[list[str] | None] = mapped_column(JSON)
    # Whether the family is told the names of the others taking part (else only their roles).
    participant_names_shown: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # A second client may take part (the child supervisor's "Will both parents take part?").
    allows_second_client: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # One client leaving (declining, cancelling their own attendance) cancels the meeting
    # for everyone; by default the meeting goes on with the others.
    client_leaving_cancels: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The family may cancel through its own link (one meeting, or a series' later ones);
    # otherwise it is asked to call the unit, and the worker cancels.
    family_cancels: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    organisation: Mapped[Organisation] = relationship()
    unit: Mapped[Unit] = relationship(back_populates="services")
    professionals: Mapped[list[Professional]] = relationship(
        secondary=service_professionals, back_populates="services", order_by="Professional.id"
    )
    # A team service needs one professional of every pool at once (scheduler/models/team.py);
    # a service without pools needs one of its professionals.
    pools: Mapped[list[ServicePool]] = relationship(
        back_populates="service", order_by="ServicePool.position", cascade="all, delete-orphan"
    )


class Professional(db.Model):  # type: ignore[name-defined]
    __tablename__ = "professionals"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # ISO 639 codes: fi, sv, en, se (North Sámi), smn (Inari Sámi), sms (Skolt Sámi), …
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["fi"])
    email: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Grows with every change of the weekly rules, absences and extra openings
    # (scheduler/availability/versions.py): cached free times are checked against it.
    # A new professional starts from a random value, so that a reused id never matches
    # what a running process cached for an earlier professional with that id.
    schedule_version: Mapped[int] = mapped_column(
        BigInteger, default=random_version, server_default="0"
    )
    # Grows with every change of this professional's bookings that moves blocked time
    # (booked, cancelled, moved; a hold cut short) and of their imported busy times, in the
    # same transaction.
    busy_version: Mapped[int] = mapped_column(
        BigInteger, default=random_version, server_default="0"
    )

    organisation: Mapped[Organisation] = relationship()
    services: Mapped[list[Service]] = relationship(
        secondary=service_professionals, back_populates="professionals"
    )
