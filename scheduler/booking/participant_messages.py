"""What the booking domain tells each participant beyond the first client: their
invitation, reminders, change and cancellation notices, in their own language, to their
own e-mail and phone, with their own link (``/attend/<token>``) and video join link.

Each participant's messages form a group of their own (``booking:<uid>:p<id>``), so
that their reminders are dropped or re-timed with the booking's, and a participant who is
removed or declines loses only theirs. A message to one participant never carries
another's contact details: the calendar invitation lists only the recipient.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

import notifications
from notifications import FamilyNotice, Message
from scheduler.booking import meetings, messages
from scheduler.booking.contact import can_receive_sms
from scheduler.booking.messages import LANGUAGES, client_context, public_url, staff_notices
from scheduler.extensions import db
from scheduler.kernel import as_utc, now_utc
from scheduler.models import (
    Attendance,
    Booking,
    BookingParticipant,
    BookingStatus,
    ParticipantRole,
    StaffUser,
)


def attend_url(token: str) -> str:
    """A participant's secret link to their own page."""
    return f"{public_url()}/attend/{token}"


def group(participant: BookingParticipant) -> str:
    return f"booking:{participant.booking.uid}:p{participant.id}"


def _language(participant: BookingParticipant) -> str:
    return participant.language if participant.language in LANGUAGES else "fi"


def _recipients(participant: BookingParticipant) -> dict[str, str]:
    found: dict[str, str] = {}
    if participant.email:
        found["email"] = participant.email
    if participant.phone and can_receive_sms(participant.phone):
        found["sms"] = participant.phone
    return found


def context(participant: BookingParticipant, old_start: datetime | None = None) -> FamilyNotice:
    """The values of a participant's messages: the booking's, in their language, greeting
    them and naming only them in the calendar invitation."""
    booking = participant.booking
    base = client_context(booking, old_start, language=_language(participant))
    invite = base.invite
    if invite is not None:
        invite = replace(invite, attendee_email=participant.email, attendee_name=participant.name)
    return replace(
        base, client_name=participant.name or "", invite=invite, invited_as=participant.role.value
    )


def _secrets(
    participant: BookingParticipant, earlier: Mapping[str, str] | None
) -> dict[str, str] | None:
    secrets = dict(earlier or {})
    booking = participant.booking
    if booking.meeting_mode == "video" and participant.video_participant_id is not None:
        join = meetings.participant_join_link(booking, participant.video_participant_id)
        if join:
            secrets["join_url"] = join
    return secrets or None


def _quiet(booking: Booking) -> tuple[int, int]:
    return notifications.quiet_hours(booking.organisation.settings)


def _message(
    participant: BookingParticipant,
    channel: str,
    recipient: str,
    template: str,
    values: FamilyNotice,
    secrets: Mapping[str, str] | None,
    due_at: datetime,
    key: str,
    before_min: int | None = None,
) -> Message:
    booking = participant.booking
    return Message(
        channel=channel,
        recipient=recipient,
        template=template,
        language=_language(participant),
        context=values,
        secrets=secrets,
        due_at=due_at,
        idempotency_key=key,
        group_key=group(participant),
        organisation_id=booking.organisation_id,
        event_at=booking.start_at,
        expires_at=booking.start_at,
        before_min=before_min,
    )


def _notice(
    participant: BookingParticipant,
    template: str,
    values: FamilyNotice,
    secrets: Mapping[str, str] | None,
) -> list[Message]:
    booking = participant.booking
    now = now_utc()
    found = []
    for channel, recipient in _recipients(participant).items():
        due = now
        if channel == "sms":
            due = notifications.sms_send_time(now, booking.organisation.zone, _quiet(booking))
        key = f"{group(participant)}:{template}:{channel}:s{booking.sequence}"
        found.append(_message(participant, channel, recipient, template, values, secrets, due, key))
    return found


def _reminders(
    participant: BookingParticipant,
    values: FamilyNotice,
    secrets: Mapping[str, str] | None,
    already: set[tuple[str, int]],
    again: str = "",
) -> list[Message]:
    booking = participant.booking
    recipients = _recipients(participant)
    try:
        rules = notifications.parse_rules(booking.service.reminder_rules)
    except ValueError:
        rules = notifications.parse_rules(None)
    planned = notifications.plan_reminders(
        rules, as_utc(booking.start_at), now_utc(), booking.organisation.zone, _quiet(booking)
    )
    found = []
    for reminder in planned:
        recipient = recipients.get(reminder.channel)
        if recipient is None or (reminder.channel, reminder.before_min) in already:
            continue
        key = (
            f"{group(participant)}:reminder:{reminder.channel}:"
            f"{reminder.before_min}:s{booking.sequence}{again}"
        )
        found.append(
            _message(
                participant,
                reminder.channel,
                recipient,
                "reminder",
                values,
                secrets,
                reminder.due_at,
                key,
                before_min=reminder.before_min,
            )
        )
    return found


def invited(participant: BookingParticipant, token: str) -> None:
    """Queue a new participant's invitation and reminders (their link goes sealed)."""
    values = context(participant)
    secrets = _secrets(participant, {"manage_url": attend_url(token)})
    notifications.enqueue_many(
        _notice(participant, "invitation", values, secrets)
        + _reminders(participant, values, secrets, already=set())
    )


def _again() -> str:
    """The key suffix of reminders planned again (those dropped earlier keep their keys)."""
    return f":j{int(now_utc().timestamp() * 1000)}"


def rejoined(participant: BookingParticipant) -> None:
    """A participant who had declined takes part after all: their reminders again."""
    values = context(participant)
    secrets = _secrets(participant, notifications.sealed_secrets(group(participant)))
    notifications.enqueue_many(
        _reminders(participant, values, secrets, already=set(), again=_again())
    )


def declined(participant: BookingParticipant) -> None:
    """A participant declined: no more reminders to them."""
    notifications.cancel_pending(group(participant))


def removed(participant: BookingParticipant) -> None:
    """A worker took a participant out: their pending messages are dropped and they are
    told the appointment is off for them."""
    notifications.cancel_pending(group(participant))
    notifications.enqueue_many(_notice(participant, "cancelled", context(participant), None))


def _active(booking: Booking) -> list[BookingParticipant]:
    return list(
        db.session.scalars(
            select(BookingParticipant)
            .where(
                BookingParticipant.booking_id == booking.id,
                BookingParticipant.removed_at.is_(None),
            )
            .order_by(BookingParticipant.id)
        )
    )


def booking_cancelled(booking: Booking) -> None:
    """Tell every participant that the booking was cancelled; drop their reminders."""
    for participant in _active(booking):
        notifications.cancel_pending(group(participant))
        if participant.attendance != Attendance.DECLINED:
            notifications.enqueue_many(
                _notice(participant, "cancelled", context(participant), None)
            )


def booking_moved(booking: Booking, old_start: datetime) -> None:
    """Tell every participant the new time; re-time their reminders (a worker's move
    gives them a new video link, made again from their place in the room)."""
    if booking.status != BookingStatus.CONFIRMED:
        return
    for participant in _active(booking):
        if participant.attendance == Attendance.DECLINED:
            continue
        key = group(participant)
        secrets = _secrets(participant, notifications.sealed_secrets(key))
        notifications.cancel_pending(key, templates=("invitation", "changed"))
        reminder_values = context(participant)
        kept = notifications.retime_pending(
            key,
            as_utc(booking.start_at),
            reminder_values,
            booking.organisation.zone,
            _quiet(booking),
            secrets=secrets,
        )
        notifications.enqueue_many(
            _notice(participant, "changed", context(participant, old_start), secrets)
            + _reminders(participant, reminder_values, secrets, already=kept)
        )


def first_client_left(booking: Booking) -> None:
    """The first client will not take part: no more reminders or notices to them."""
    notifications.cancel_pending(f"booking:{booking.uid}")


def first_client_rejoined(booking: Booking) -> None:
    """The first client takes part after all: their reminders again."""
    secrets = messages._secrets(booking, notifications.sealed_secrets(f"booking:{booking.uid}"))
    values = messages.client_context(booking)
    notifications.enqueue_many(
        messages._schedule_reminders(booking, values, secrets, already=set(), again=_again())
    )


def professionals_told(
    booking: Booking, event: str, who: ParticipantRole, subject: str, exclude: int | None = None
) -> None:
    """Tell every professional of the booking (its worker, a team meeting's other workers,
    colleagues taking part; not ``exclude``) that someone said they will not take part
    (``declined``) or will after all (``rejoined``): in each worker's language, naming
    only the role of who answered (``subject`` keys the message: ``client`` or ``p<id>``)."""
    change = f":{subject}:{now_utc():%Y%m%dT%H%M%S%f}"
    notices = staff_notices(booking, event, skip={exclude}, change=change)
    told = []
    for notice in notices:
        context = notice.context
        if isinstance(context, notifications.StaffNotice):
            context = replace(context, who=who.value)
        told.append(replace(notice, context=context))
    notifications.enqueue_many(told)


def staff_told(
    booking: Booking,
    participant: BookingParticipant | None = None,
    staff: StaffUser | None = None,
) -> None:
    """Tell the meeting's professionals that who takes part changed (a staff notice, no
    names): all but the worker who made the change and a colleague who was added or
    taken out (their own invitation or cancellation tells them)."""
    if booking.status != BookingStatus.CONFIRMED:
        return
    skip = {
        staff.professional_id if staff is not None else None,
        participant.professional_id if participant is not None else None,
    }
    change = f":p{participant.id if participant is not None else 0}:{now_utc():%Y%m%dT%H%M%S%f}"
    notifications.enqueue_many(staff_notices(booking, "participants", skip=skip, change=change))
