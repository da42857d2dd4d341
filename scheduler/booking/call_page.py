"""The access-log row of the worker's call page, which names the family. ``video`` calls
it through the hook the core registers (``video.views.on_host_page``), since it may not
import the audit module itself."""

from __future__ import annotations

from flask import g

import video
from scheduler import audit
from scheduler.booking.changes import client_identifiers
from scheduler.extensions import db
from scheduler.models import Booking


def record_host_view(room: video.Room) -> None:
    """One access-log row each time the worker's call page of a booking is shown."""
    booking = db.session.get(Booking, room.booking_id)
    if booking is None or booking.personal_data_removed_at is not None:
        return
    pro = booking.professional
    # The signed link from the agenda is the worker's only key here: no staff session.
    g.actor = f"{pro.name} (professional:{pro.id}, call link)"[:255]
    g.actor_role = "worker"
    audit.record(
        booking.organisation_id,
        "booking.video_host_view",
        f"booking:{booking.id}",
        client_identifiers(booking),
    )
