"""What the booking domain tells people: builds the typed message values of
``notifications.contract`` from bookings and queues them in the outbox
(``notifications.enqueue_many``) in the same transaction.

For each booking (group ``booking:<uid>``):

- confirmed: a confirmation by e-mail (with an iMIP REQUEST) and SMS, the reminders
  of the service's rules, and a staff notice to the professional;
- cancelled: the pending messages are cancelled, a cancellation goes out (iMIP CANCEL
  with the same UID and a higher SEQUENCE), and a staff notice;
- moved: pending reminders are re-timed, a change notice goes out, and a staff notice.

SMS never name a sensitive service (child protection) unless the organisation allows
it (``Organisation.settings["sms_may_name_sensitive_services"]``), and never carry the
client's or the worker's name. Staff notices carry no client details at all.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from email.utils import parseaddr

from flask import current_app

import notifications
from notifications import FamilyNotice, Invite, Message, StaffNotice
from scheduler.booking import meetings, team
from scheduler.booking.contact import can_receive_sms, normalise_phone
from scheduler.booking.message_times import old_when, when_of
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc, now_utc
from scheduler.models import Booking, Professional
from scheduler.web.i18n import localized

log = logging.getLogger(__name__)

LANGUAGES = ("fi", "sv", "en")
_GENERIC_SUMMARY = {"fi": "Tapaaminen", "sv": "Möte", "en": "Appointment"}
_MODE_NAMES = {
    "video": {"fi": "Videotapaaminen", "sv": "Videomöte", "en": "Video meeting"},
    "phone": {"fi": "Puhelu", "sv": "Telefonsamtal", "en": "Phone call"},
}


def _language(code: str | None) -> str:
    return code if code in LANGUAGES else "fi"


def public_url() -> str:
    """The service's public address, without a trailing slash."""
    return str(current_app.config["PUBLIC_URL"]).rstrip("/")


def manage_url(token: str) -> str:
    """The family's secret link to its booking page."""
    return f"{public_url()}/manage/{token}"


def join_url(booking: Booking) -> str | None:
    """The family's own link into the video meeting; None for phone meetings."""
    if booking.meeting_mode != "video":
        return None
    return meetings.family_join_link(booking)


def _sms_may_name(booking: Booking) -> bool:
    if not booking.service.sensitive:
        return True
    return bool((booking.organisation.settings or {}).get("sms_may_name_sensitive_services"))


def _professional(booking: Booking) -> Professional:
    pro = booking.professional
    if pro.id != booking.professional_id:
        # A move changed professional_id after the relationship was loaded: load it
        # again, so that the page showing the moved booking names the new worker too.
        db.session.expire(booking, ["professional"])
        pro = booking.professional
    return pro


def _sender(booking: Booking) -> str | None:
    return booking.organisation.email_from or None


def _organizer_email(booking: Booking) -> str:
    sender = _sender(booking) or str(current_app.config.get("MAIL_FROM") or "etaaika@localhost")
    return parseaddr(sender)[1] or "etaaika@localhost"


def client_context(
    booking: Booking, old_start: datetime | None = None, language: str | None = None
) -> FamilyNotice:
    """Plain values for the family's messages, in the booking's language (or ``language``)."""
    lang = _language(language or booking.language)
    zone = booking.organisation.zone
    service_name = localized(booking.service.name, lang)
    organisation_name = localized(booking.organisation.name, lang)
    when = when_of(booking.start_at, booking.end_at, lang, zone)
    old = old_when(old_start, lang, zone)
    summary = service_name if _sms_may_name(booking) else _GENERIC_SUMMARY[lang]
    return FamilyNotice(
        organisation_name=organisation_name,
        email_from=_sender(booking),
        client_name=booking.client_name or "",
        service_name=service_name,
        sms_service=service_name if _sms_may_name(booking) else None,
        professional_name=_professional(booking).name,
        meeting_mode=booking.meeting_mode,
        # The secret links (the video join link and the manage link) travel sealed,
        # beside the context (see ``_secrets``); the sealed value is used when sending.
        join_url=None,
        public_url=public_url(),
        cancelled_by=booking.cancelled_by,
        family_cancels=booking.service.family_cancels,
        weekday=when.weekday,
        weekday_short=when.weekday_short,
        date=when.date,
        time=when.time,
        time_range=when.time_range,
        old_weekday=old["old_weekday"],
        old_weekday_short=old["old_weekday_short"],
        old_date=old["old_date"],
        old_time=old["old_time"],
        invite=Invite(
            uid=booking.uid,
            sequence=booking.sequence,
            start=as_utc(booking.start_at).isoformat(),
            end=as_utc(booking.end_at).isoformat(),
            summary=f"{summary} ({organisation_name})",
            location=_MODE_NAMES.get(booking.meeting_mode, _MODE_NAMES["video"])[lang],
            organizer_email=_organizer_email(booking),
            organizer_name=organisation_name,
            attendee_email=booking.client_email,
            attendee_name=booking.client_name,
        ),
    )


def staff_context(
    booking: Booking, event: str, old_start: datetime | None = None, pro: Professional | None = None
) -> tuple[str, StaffNotice]:
    """The staff notice's language and plain values for ``pro`` (by default the lead
    worker): the time and service, no client data."""
    pro = pro or _professional(booking)
    lang = next((code for code in pro.languages if code in LANGUAGES), "fi")
    zone = booking.organisation.zone
    when = when_of(booking.start_at, booking.end_at, lang, zone)
    old = old_when(old_start, lang, zone)
    return lang, StaffNotice(
        event=event,
        organisation_name=localized(booking.organisation.name, lang),
        email_from=_sender(booking),
        professional_name=pro.name,
        service_name=localized(booking.service.name, lang),
        meeting_mode=booking.meeting_mode,
        staff_url=f"{public_url()}/staff",
        weekday=when.weekday,
        weekday_short=when.weekday_short,
        date=when.date,
        time=when.time,
        time_range=when.time_range,
        old_weekday=old["old_weekday"],
        old_weekday_short=old["old_weekday_short"],
        old_date=old["old_date"],
        old_time=old["old_time"],
    )


def _recipients(booking: Booking) -> dict[str, str]:
    """Where the family's messages go: e-mail and/or a mobile number (nowhere once the
    first client said they will not take part, while another client does)."""
    found: dict[str, str] = {}
    if booking.client_left_at is not None:
        return found
    if booking.client_email:
        found["email"] = booking.client_email
    if booking.client_phone:
        try:
            phone = normalise_phone(booking.client_phone)
        except Problem:
            phone = None
            log.warning("booking %s has a phone number that is not valid; no SMS", booking.id)
        if phone and can_receive_sms(phone):
            found["sms"] = phone
    return found


def _group(booking: Booking) -> str:
    return f"booking:{booking.uid}"


def _quiet(booking: Booking) -> tuple[int, int]:
    return notifications.quiet_hours(booking.organisation.settings)


def _notice(
    booking: Booking, template: str, context: FamilyNotice, secrets: Mapping[str, str] | None
) -> list[Message]:
    """A notice to the family on each of its channels, due now (SMS: not at night)."""
    now = now_utc()
    notices = []
    for channel, recipient in _recipients(booking).items():
        due = now
        if channel == "sms":
            due = notifications.sms_send_time(now, booking.organisation.zone, _quiet(booking))
        key = f"{_group(booking)}:{template}:{channel}:s{booking.sequence}"
        notices.append(
            _to_family(booking, channel, recipient, template, context, secrets, due, key)
        )
    return notices


def _to_family(
    booking: Booking,
    channel: str,
    recipient: str,
    template: str,
    context: FamilyNotice,
    secrets: Mapping[str, str] | None,
    due_at: datetime,
    idempotency_key: str,
    before_min: int | None = None,
) -> Message:
    """One message to the family about a booking: in the family's language, grouped by
    the booking, void once it starts."""
    return Message(
        channel=channel,
        recipient=recipient,
        template=template,
        language=_language(booking.language),
        context=context,
        secrets=secrets,
        due_at=due_at,
        idempotency_key=idempotency_key,
        group_key=_group(booking),
        organisation_id=booking.organisation_id,
        event_at=booking.start_at,
        expires_at=booking.start_at,
        before_min=before_min,
    )


def _schedule_reminders(
    booking: Booking,
    context: FamilyNotice,
    secrets: Mapping[str, str] | None,
    already: set[tuple[str, int]],
    again: str = "",  # a key suffix: reminders planned again after earlier ones were dropped
) -> list[Message]:
    recipients = _recipients(booking)
    try:
        rules = notifications.parse_rules(booking.service.reminder_rules)
    except ValueError:
        # A broken rule must not stop bookings: remind the default way, and say so.
        log.error("service %s has invalid reminder rules; using the default", booking.service_id)
        rules = notifications.parse_rules(None)
    planned = notifications.plan_reminders(
        rules, as_utc(booking.start_at), now_utc(), booking.organisation.zone, _quiet(booking)
    )
    reminders = []
    for reminder in planned:
        recipient = recipients.get(reminder.channel)
        if recipient is None or (reminder.channel, reminder.before_min) in already:
            continue
        key = (
            f"{_group(booking)}:reminder:{reminder.channel}:"
            f"{reminder.before_min}:s{booking.sequence}{again}"
        )
        reminders.append(
            _to_family(
                booking,
                reminder.channel,
                recipient,
                "reminder",
                context,
                secrets,
                reminder.due_at,
                key,
                before_min=reminder.before_min,
            )
        )
    return reminders


def staff_notices(
    booking: Booking,
    event: str,
    old_start: datetime | None = None,
    always: bool = False,
    skip: Collection[int | None] = (),
    change: str = "",
    pros: Sequence[Professional] | None = None,
) -> list[Message]:
    """A staff notice to every professional of the meeting (the lead's, a team's further
    ones, colleagues added later), once each, in their own language; ``always``: even
    when the service sends no staff notices (a need that must not go unseen). ``skip``:
    professionals who know already; ``change`` names a change that leaves the booking's
    sequence as it was (its notices' keys); ``pros``: these professionals instead of the
    meeting's own (those a move took it from)."""
    if not (always or booking.service.staff_notices):
        return []
    group, found = _group(booking), []
    _professional(booking)  # the lead's worker read again after a move
    for pro in team.professionals_of(booking) if pros is None else pros:
        if not pro.email or pro.id in skip:
            continue
        lang, context = staff_context(booking, event, old_start, pro)
        # The lead worker's key as before; each further professional's of their own.
        mine = "" if pro.id == booking.professional_id else f":w{pro.id}"
        found.append(
            Message(
                channel="email",
                recipient=pro.email,
                template="staff_notice",
                language=lang,
                context=context,
                idempotency_key=f"{group}:staff:{event}:s{booking.sequence}{change}{mine}",
                group_key=f"{group}:staff",
                organisation_id=booking.organisation_id,
            )
        )
    return found


def _secrets(booking: Booking, earlier: Mapping[str, str] | None) -> dict[str, str] | None:
    """The secret links of the family's messages, stored only sealed: the manage link
    (``earlier``: it exists only in the sealed copy kept with the booking's messages) and
    the family's video join link (the same link every time)."""
    secrets = dict(earlier or {})
    join = join_url(booking)
    if join:
        secrets["join_url"] = join
    return secrets or None


def booking_confirmed(booking: Booking, manage_token: str, confirmation: bool = True) -> None:
    """Queue the confirmation (unless a worker handed the family a printed note instead)
    and schedule the reminders of a new booking."""
    context = client_context(booking)
    secrets = _secrets(booking, {"manage_url": manage_url(manage_token)})
    notifications.enqueue_many(
        (_notice(booking, "confirmation", context, secrets) if confirmation else [])
        + _schedule_reminders(booking, context, secrets, already=set())
        # A series is announced to its workers once, listing its meetings (series_messages).
        + ([] if booking.series_id else staff_notices(booking, "booked"))
    )


def booking_cancelled(booking: Booking) -> None:
    """Queue the cancellation notice and drop the booking's pending reminders."""
    notifications.cancel_pending(_group(booking))
    notifications.enqueue_many(
        _notice(booking, "cancelled", client_context(booking), secrets=None)
        + staff_notices(booking, "cancelled")
    )


def booking_moved(
    booking: Booking, old_start: datetime, released: Sequence[Professional] = ()
) -> None:
    """Queue the change notice and re-time the booking's pending reminders; the workers
    the move took the meeting from (``released``) are told it is no longer theirs."""
    # Only the manage token's hash is stored with the booking: the link comes from the
    # sealed copy kept with the booking's earlier messages.
    secrets = _secrets(booking, notifications.sealed_secrets(_group(booking)))
    # A confirmation or change still waiting (SMS held back at night) would give the old time.
    notifications.cancel_pending(_group(booking), templates=("confirmation", "changed"))
    reminder_context = client_context(booking)
    kept = notifications.retime_pending(
        _group(booking),
        as_utc(booking.start_at),
        reminder_context,
        booking.organisation.zone,
        _quiet(booking),
        secrets=secrets,
    )
    notifications.enqueue_many(
        _notice(booking, "changed", client_context(booking, old_start), secrets)
        + _schedule_reminders(booking, reminder_context, secrets, already=kept)
        + staff_notices(booking, "moved", old_start)
        + staff_notices(booking, "released", old_start, pros=released)
    )
