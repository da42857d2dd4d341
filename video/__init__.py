"""Video meetings: rooms, links, the waiting room, signalling, TURN credentials and the
server's own WebRTC peer for the connection test.

The scheduler reaches this package only through the functions below (see
``scheduler/booking/meetings.py``) and hands over plain values. Of ``scheduler`` this package
uses only ``scheduler.extensions`` and ``scheduler.kernel``; importing it registers its models.
"""

from video.models import Kind, Participant, Room
from video.rooms import (
    RoomFull,
    add_participant,
    can_reopen,
    end_for_booking,
    ensure_room,
    forget_names,
    link_secret,
    participant_of,
    renew_links,
)

__all__ = [
    "Kind",
    "Participant",
    "Room",
    "RoomFull",
    "add_participant",
    "can_reopen",
    "end_for_booking",
    "ensure_room",
    "forget_names",
    "link_secret",
    "participant_of",
    "renew_links",
]
