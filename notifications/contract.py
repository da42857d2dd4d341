"""What the core hands to this package: frozen, typed values, checked by mypy at both ends.

A message (``Message``) names its channel, recipient, template, language, times and keys,
and carries a context: plain values already formatted for the recipient's language, one
type per kind of text. The outbox keeps the context as JSON (``context_json``) and the
dispatcher reads it back into the same type (``read_context``) before rendering, so a row
that does not fit its template is refused there, not half rendered. Secret values (the
manage or feedback link) travel beside the context and are stored sealed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter


@dataclass(frozen=True, kw_only=True)
class Invite:
    """The iMIP invitation of a family's e-mail (RFC 6047): start and end in ISO 8601 UTC."""

    uid: str
    sequence: int
    start: str
    end: str
    summary: str
    location: str | None
    organizer_email: str
    organizer_name: str | None
    attendee_email: str | None
    attendee_name: str | None


@dataclass(frozen=True, kw_only=True)
class FamilyNotice:
    """A confirmation, change, cancellation or reminder to the family about its booking.

    ``sms_service`` is the service's name where an SMS may name it, else None; the
    ``old_*`` values are the earlier time of a moved booking, None otherwise. ``series``
    names every meeting of a follow-up series that the message is about ("ti 8.12.2026
    klo 9.15"), in time order; empty for a message about one meeting.
    """

    organisation_name: str
    email_from: str | None
    client_name: str
    service_name: str
    sms_service: str | None
    professional_name: str
    meeting_mode: str
    # None: the family's video join link travels sealed, as ``join_url`` of the secrets
    # (a value here is kept only for rows queued before the link was sealed).
    join_url: str | None
    public_url: str
    cancelled_by: str | None
    weekday: str
    weekday_short: str
    date: str
    time: str
    time_range: str
    old_weekday: str | None = None
    old_weekday_short: str | None = None
    old_date: str | None = None
    old_time: str | None = None
    invite: Invite | None = None
    # The role of a participant invited beyond the first client ("client", "interpreter",
    # "professional", "guest"): their link leads to their own page, where they say whether
    # they take part. None for the first client.
    invited_as: str | None = None
    series: tuple[str, ...] = ()
    # False: the service's appointments are not cancelled online (the family calls).
    family_cancels: bool = True


@dataclass(frozen=True, kw_only=True)
class HandedOver:
    """A meeting moved away from the worker a notice is for, as a line of its list: the time
    it had with them ("ti 8.12.2026 klo 9.15"), its service and the worker who took it over.
    No client data."""

    when: str
    service_name: str
    taken_by: str


@dataclass(frozen=True, kw_only=True)
class StaffNotice:
    """A notice to a professional of a meeting: booked, cancelled, moved, an interpreter
    still needed, someone taking part said they will not (or will after all), or another
    change of who takes part. No client data."""

    # booked, cancelled, moved, released (moved away from this worker), interpreter_open,
    # declined, rejoined, participants
    event: str
    organisation_name: str
    email_from: str | None
    professional_name: str
    service_name: str
    meeting_mode: str
    staff_url: str
    weekday: str
    weekday_short: str
    date: str
    time: str
    time_range: str
    old_weekday: str | None = None
    old_weekday_short: str | None = None
    old_date: str | None = None
    old_time: str | None = None
    # declined, rejoined: the role of who answered ("client", "interpreter", "guest",
    # "professional"), never their name or contact details.
    who: str | None = None
    series: tuple[str, ...] = ()  # the meetings of a series the notice is about
    # released: every meeting moved away from the worker at once (a sick day's moves), in
    # time order; empty for a notice about one meeting.
    handed_over: tuple[HandedOver, ...] = ()


@dataclass(frozen=True, kw_only=True)
class FeedbackRequest:
    """A request for feedback after a meeting: no client or worker names, no link."""

    organisation_name: str
    email_from: str | None
    service_name: str
    sms_service: str | None
    date: str
    meeting_mode: str


@dataclass(frozen=True, kw_only=True)
class FeedStaleNotice:
    """To a worker's administrators: the worker's own calendar has not been read lately."""

    organisation_name: str
    email_from: str | None
    professional_name: str
    feed_label: str
    last_read_date: str
    last_read_time: str
    withheld: bool  # the worker's times are not offered meanwhile
    admin_url: str


@dataclass(frozen=True, kw_only=True)
class TakingPartNotice(FamilyNotice):
    """To the family: who takes part in its meeting now that someone was added or removed.

    ``people`` are (role, name) pairs, the role one of "professional", "interpreter",
    "guest"; the name is None where the service tells only roles. No contact details.
    """

    people: tuple[tuple[str, str | None], ...] = ()


MessageContext = FamilyNotice | StaffNotice | FeedbackRequest | FeedStaleNotice

# Which context each template is written for.
CONTEXT_TYPES: dict[
    str,
    type[FamilyNotice] | type[StaffNotice] | type[FeedbackRequest] | type[FeedStaleNotice],
] = {
    "confirmation": FamilyNotice,
    "invitation": FamilyNotice,
    "changed": FamilyNotice,
    "cancelled": FamilyNotice,
    "reminder": FamilyNotice,
    "staff_notice": StaffNotice,
    "feedback": FeedbackRequest,
    "feed_stale": FeedStaleNotice,
    "taking_part": TakingPartNotice,
}
# Values a template may name that only the sealed secrets fill in.
_SECRET_DEFAULTS: dict[type[Any], dict[str, None]] = {
    FamilyNotice: {"manage_url": None},
    TakingPartNotice: {"manage_url": None},
}
_READERS: dict[type[Any], TypeAdapter[Any]] = {
    kind: TypeAdapter(kind) for kind in set(CONTEXT_TYPES.values())
}


@dataclass(frozen=True, kw_only=True)
class Message:
    """One message to queue (``notifications.enqueue_many``).

    ``idempotency_key`` makes queueing it twice harmless; ``group_key`` ties a booking's
    messages together (cancel or re-time them at once); ``event_at`` and ``before_min``
    make a reminder; past ``expires_at`` the message is no longer sent.
    """

    channel: str
    recipient: str
    template: str
    language: str
    context: MessageContext
    idempotency_key: str
    secrets: Mapping[str, str] | None = None
    due_at: datetime | None = None
    group_key: str | None = None
    organisation_id: int | None = None
    before_min: int | None = None
    event_at: datetime | None = None
    expires_at: datetime | None = None


def check_context(template: str, context: MessageContext) -> None:
    """Refuse a context that is not the one ``template`` is written for."""
    wanted = CONTEXT_TYPES.get(template)
    if wanted is None:
        raise ValueError(f"unknown message template {template!r}")
    if not isinstance(context, wanted):
        raise TypeError(f"template {template!r} takes a {wanted.__name__}")


def context_json(context: MessageContext) -> dict[str, Any]:
    """The context as the outbox stores it (plain JSON values)."""
    return asdict(context)


def read_context(template: str, stored: Mapping[str, Any]) -> MessageContext:
    """The typed context of a stored row; raises ValueError when it does not fit.

    Keys the type does not know (``manage_url: null`` of rows written before the
    context was typed) are ignored.
    """
    kind = CONTEXT_TYPES.get(template)
    if kind is None:
        raise ValueError(f"unknown message template {template!r}")
    value: MessageContext = _READERS[kind].validate_python(dict(stored))
    return value


def template_variables(context: MessageContext, secrets: Mapping[str, Any]) -> dict[str, Any]:
    """What a template sees: the context's values and the opened secrets."""
    return {**asdict(context), **_SECRET_DEFAULTS.get(type(context), {}), **secrets}
