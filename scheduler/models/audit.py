"""The access log: append-only and hash-chained per organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import db
from scheduler.kernel import UTCDateTime


class AccessLogEntry(db.Model):  # type: ignore[name-defined]
    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_org_seq", "organisation_id", "seq", unique=True),
        Index("ix_access_log_client_ref", "client_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    seq: Mapped[int]  # position in the organisation's chain, from 1
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(64))  # "booking:17"
    # Keyed hash of the client's identifier (e-mail, phone or verified identity),
    # so one client's log can be exported without the log itself naming anyone.
    client_ref: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))  # client IP, or "system"
    result: Mapped[str] = mapped_column(String(32))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
