"""What the core hands to the call pages of ``video``, which may not import it: the
access-log row of the worker's call page, which names the family (through the hook
``video.views.on_host_page``), and the organisation's name shown on every call page (a
template global, ``organisation_name(room)``)."""

from __future__ import annotations

from flask import g

import video
from scheduler import audit
from scheduler.booking.changes import client_identifiers
from scheduler.extensions import db
from scheduler.models import Booking, Organisation
from scheduler.web.i18n import localized


def record_host_view(room: video.Room, host: video.Participant) -> None:
    """One access-log row each time a host's call page of a booking is shown: the booked
    worker's, or a colleague's who hosts with them."""
    booking = db.session.get(Booking, room.booking_id)
    if booking is None or booking.personal_data_removed_at is not None:
        return
    # The link is the host's only key here: no staff session.
    if host.kind == video.Kind.WORKER:
        pro = booking.professional
        g.actor = f"{pro.name} (professional:{pro.id}, call link)"[:255]
    else:
        g.actor = f"{host.display_name} (video participant:{host.id}, call link)"[:255]
    g.actor_role = "worker"
    audit.record(
        booking.organisation_id,
        "booking.video_host_view",
        f"booking:{booking.id}",
        client_identifiers(booking),
    )


def organisation_name(room: video.Room) -> str:
    """The name of the organisation whose meeting this is, in the page's language."""
    organisation = db.session.get(Organisation, room.organisation_id)
    return localized(organisation.name) if organisation is not None else ""
