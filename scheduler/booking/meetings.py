"""The booking domain's bridge to video meetings: it turns a booking into the plain values
that ``video`` needs and gives back the links that pages and messages show."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

import video
from scheduler.extensions import db
from scheduler.kernel import Problem, now_utc
from scheduler.models import Booking
from video.links import host_url, join_url, sign_host_link
from video.rooms import remove as remove_from_call
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
    """A secret link for one more participant (``parent``, ``interpreter``, ``colleague``,
    ``guest``); a colleague joins as a host, the others wait to be admitted.

    Raises ``ValueError`` for a booking without video or an unknown kind, and
    ``video.RoomFull`` when the room already has six participants.
    """
    room = _room(booking)
    if room is None:
        raise ValueError("the booking is not a video meeting")
    guest_kind = video.Kind(kind)
    name = display_name or texts_for(booking.language or "fi")[f"kind_{guest_kind.value}"]
    guest = video.add_participant(current_app.config["SECRET_KEY"], room, guest_kind, name)
    return join_url(_public_url(), video.link_secret(current_app.config["SECRET_KEY"], guest))


# The room's kind of each participant role (the worker of the booking is its host).
_ROOM_KINDS = {
    "client": video.Kind.PARENT,
    "interpreter": video.Kind.INTERPRETER,
    "professional": video.Kind.COLLEAGUE,
    "guest": video.Kind.COLLEAGUE,
}


def add_to_room(booking: Booking, role: str, display_name: str) -> int:
    """A place in the booking's room for one participant (``role`` of
    ``ParticipantRole``); returns its id, from which their link is made again
    (``participant_join_link``). Raises a 409 ``Problem`` when the room is full."""
    room = _room(booking)
    if room is None:
        raise ValueError("the booking is not a video meeting")
    try:
        guest = video.add_participant(
            current_app.config["SECRET_KEY"], room, _ROOM_KINDS[role], display_name
        )
    except video.RoomFull as exc:
        raise Problem(
            409, "room_full", "The video meeting already has as many people as it can take."
        ) from exc
    return int(guest.id)


def _in_room(booking: Booking, video_participant_id: int) -> video.Participant | None:
    room = _room(booking)
    if room is None:
        return None
    return next((p for p in room.participants if p.id == video_participant_id), None)


def participant_join_link(booking: Booking, video_participant_id: int) -> str | None:
    """A participant's own join link (the same every time, until a worker's move gives
    everyone new ones); None when they have no place in the room any more."""
    guest = _in_room(booking, video_participant_id)
    if guest is None or guest.removed_at is not None or not guest.link_salt:
        return None
    secret_key = current_app.config["SECRET_KEY"]
    return join_url(_public_url(), video.link_secret(secret_key, guest))


def remove_from_room(booking: Booking, video_participant_id: int) -> None:
    """Take a participant out of the room: their link stops working."""
    guest = _in_room(booking, video_participant_id)
    if guest is not None:
        remove_from_call(guest)


def renew_room(booking: Booking) -> None:
    """New links for a booking that staff moved or reassigned: the old ones stop working."""
    room = _room(booking)
    if room is not None:
        video.renew_links(current_app.config["SECRET_KEY"], room, booking.professional.name)


def close_room(booking: Booking) -> None:
    """End a cancelled booking's meeting: every link of its room stops working."""
    video.end_for_booking(booking.id)
