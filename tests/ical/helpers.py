"""Test data for calendar sync: bookings and feeds."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from scheduler.extensions import db
from scheduler.models import Booking, Professional, Service


def add_booking(
    service: Service,
    pro: Professional,
    start: datetime,
    status: str = "confirmed",
    minutes: int = 45,
    updated_at: datetime | None = None,
    **kw: object,
) -> Booking:
    """A booking with client data filled in, so that tests can see it never leaks."""
    end = start + timedelta(minutes=minutes)
    booking = Booking(
        uid=f"{uuid.uuid4()}@etaaika",
        organisation_id=service.organisation_id,
        service_id=service.id,
        professional_id=pro.id,
        start_at=start,
        end_at=end,
        block_start_at=start,
        block_end_at=end,
        status=status,
        client_name="Salli Salainen",
        client_email="salli@example.fi",
        client_phone="+358401234567",
        intake_answers={"reason": "Huoltajuusriita"},
        created_at=updated_at or start - timedelta(days=3),
        updated_at=updated_at or start - timedelta(days=3),
        confirmed_at=start - timedelta(days=3),
        sequence=kw.pop("sequence", 0),
        **kw,
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def ics(*events: tuple[datetime, datetime, str]) -> bytes:
    """A small UTC feed of (start, end, uid) events."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for start, end, uid in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{end:%Y%m%dT%H%M%SZ}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()
