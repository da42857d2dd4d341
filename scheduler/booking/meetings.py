"""The booking domain's bridge to video meetings: it turns a booking into the plain values
that ``video`` needs and gives back the links that pages and messages show."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

import video
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import Booking
from video.links import host_url, join_url, sign_host_link
from video.texts import texts_for


def _public_url() -> str:
    return str(current_app.config["PUBLIC_URL"])


def _room(booking: Booking, new: bool = False) -> video.Room | None:
    if booking.meeting_mode != "video":
        return None
    if booking.lead_booking_id is not None:
        # A team meeting's companion row meets in its lead's room.
        lead = db.session.get(Booking, booking.lead_booking_id)
        return None if lead is None else _room(lead)
    return video.ensure_room(
        current_app.config["SECRET_KEY"],
        booking_id=booking.id,
        organisation_id=booking.organisation_id,
        starts_at=booking.start_at,
        ends_at=booking.end_at,
        family_name=booking.client_name or booking.identity_name or "",
        worker_name=booking.professional.name,
        new=new,
    )


def open_room(booking: Booking) -> None:
    """Make the room of a booking being confirmed (it has none yet), for video meetings;
    a team meeting's further professionals are invited to it as hosts."""
    room = _room(booking, new=True)
    if room is None:
        return
    for companion in booking.companions:
        _invite_professional(room, companion.professional.name)


def _invite_professional(room: video.Room, name: str) -> None:
    """Invite one more professional of a team meeting: a host where the video side takes
    more than one, else a colleague whom the host admits."""
    secret = current_app.config["SECRET_KEY"]
    try:
        video.add_participant(secret, room, video.Kind.WORKER, name)
    except ValueError:
        video.add_participant(secret, room, video.Kind.COLLEAGUE, name)


def _professional_of(room: video.Room, booking: Booking) -> video.Participant:
    """The participant who is the booking's professional: the room's worker for the lead
    row, the one invited by name for a companion row (invited now if the team changed)."""
    if booking.lead_booking_id is None:
        return video.participant_of(room, video.Kind.WORKER)
    name = booking.professional.name
    hosts = (video.Kind.WORKER, video.Kind.COLLEAGUE)
    for participant in reversed(room.participants[1:]):
        if (
            participant.kind in hosts
            and participant.display_name == name
            and participant.removed_at is None
        ):
            return participant
    _invite_professional(room, name)
    return room.participants[-1]


def family_join_link(booking: Booking) -> str | None:
    """The family's secret join link of a video booking (the room is made on first use);
    the same link every time, so a reminder can carry it again. None for other modes."""
    room = _room(booking)
    if room is None:
        return None
    family = video.participant_of(room, video.Kind.FAMILY)
    return join_url(_public_url(), video.link_secret(current_app.config["SECRET_KEY"], family))


def worker_join_link(booking: Booking) -> str | None:
    """A fresh, signed link for the worker's agenda (valid for a day); None for other modes."""
    room = _room(booking)
    if room is None:
        return None
    worker = _professional_of(room, booking)
    if worker.id is None:
        db.session.flush()  # a room made in this request: the signed link names the ids
    if not worker.is_host:
        secret = video.link_secret(current_app.config["SECRET_KEY"], worker)
        return join_url(_public_url(), secret)
    token = sign_host_link(current_app.config["SECRET_KEY"], room.id, worker.id)
    return host_url(_public_url(), token)


@dataclass(frozen=True)
class WorkerMeeting:
    """The worker's way into a video meeting, as it stands now."""

    url: str  # the signed link to the call page
    ended: bool  # ended by the worker, and still reopenable: ``reopen_url`` opens it again

    @property
    def reopen_url(self) -> str:
        return f"{self.url}/reopen"


def worker_meeting(booking: Booking) -> WorkerMeeting | None:
    """The worker's link with the meeting's true state; None for other modes and for a
    meeting that was ended and can no longer be reopened."""
    url = worker_join_link(booking)
    room = _room(booking)
    if url is None or room is None:
        return None
    if room.ended_at is None:
        return WorkerMeeting(url, ended=False)
    if video.can_reopen(room, current_app.config, now_utc()):
        return WorkerMeeting(url, ended=True)
    return None


def invite_participant(booking: Booking, kind: str, display_name: str | None = None) -> str:
    """A secret link for one more participant (``parent``, ``interpreter``, ``colleague``).

    Raises ``ValueError`` for a booking without video or an unknown kind, and
    ``video.RoomFull`` when four people are already invited.
    """
    room = _room(booking)
    if room is None:
        raise ValueError("the booking is not a video meeting")
    guest_kind = video.Kind(kind)
    name = display_name or texts_for(booking.language or "fi")[f"kind_{guest_kind.value}"]
    guest = video.add_participant(current_app.config["SECRET_KEY"], room, guest_kind, name)
    return join_url(_public_url(), video.link_secret(current_app.config["SECRET_KEY"], guest))


def renew_room(booking: Booking) -> None:
    """New links for a booking that staff moved or reassigned: the old ones stop working."""
    room = _room(booking)
    if room is not None:
        video.renew_links(current_app.config["SECRET_KEY"], room, booking.professional.name)


def close_room(booking: Booking) -> None:
    """End a cancelled booking's meeting: every link of its room stops working."""
    video.end_for_booking(booking.id)
