"""Writing to the outbox and changing what is still pending.

Everything here works on the caller's session and flushes, never commits: the rows
become visible to the dispatcher only when the caller's transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from notifications import rules
from notifications.contract import (
    FamilyNotice,
    Message,
    MessageContext,
    check_context,
    context_json,
)
from notifications.models import ChannelKind, OutboxMessage, Status
from notifications.sealing import UnsealError, seal, unseal
from scheduler.extensions import db
from scheduler.kernel import now_utc


def enqueue(
    *,
    channel: str,
    recipient: str,
    template: str,
    language: str,
    context: MessageContext,
    idempotency_key: str,
    due_at: datetime | None = None,
    group_key: str | None = None,
    organisation_id: int | None = None,
    secrets: Mapping[str, str] | None = None,
    before_min: int | None = None,
    event_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> bool:
    """Queue one message in the current transaction; False if the key was queued before.

    ``context`` holds the template's plain values (its type is the one the template is
    written for, see ``notifications.contract``); ``secrets`` (the manage link) are stored
    encrypted and handed to the template next to the context. A message with an
    ``idempotency_key`` already in the outbox is not queued again.
    """
    return enqueue_many(
        [
            Message(
                channel=channel,
                recipient=recipient,
                template=template,
                language=language,
                context=context,
                idempotency_key=idempotency_key,
                due_at=due_at,
                group_key=group_key,
                organisation_id=organisation_id,
                secrets=secrets,
                before_min=before_min,
                event_at=event_at,
                expires_at=expires_at,
            )
        ]
    )[0]


def enqueue_many(messages: Iterable[Message]) -> list[bool]:
    """Queue several messages with one insert.

    One statement for all of a booking's messages (confirmation, reminders, staff
    notice) instead of one each. Returns, in order, whether each was queued: False
    for a key already in the outbox, or met earlier in ``messages``.
    """
    now = now_utc()
    sealed: dict[int, str] = {}  # one sealing per secrets mapping the messages share
    stored: dict[int, dict[str, Any]] = {}  # and one JSON form per context
    rows = []
    for message in messages:
        if message.channel not in _CHANNELS:
            raise ValueError(f"unknown channel {message.channel!r}")
        check_context(message.template, message.context)
        secrets = message.secrets
        if secrets and id(secrets) not in sealed:
            sealed[id(secrets)] = seal(dict(secrets), current_app.config["SECRET_KEY"])
        if id(message.context) not in stored:
            stored[id(message.context)] = context_json(message.context)
        due = message.due_at or now
        rows.append(
            {
                "organisation_id": message.organisation_id,
                "channel": message.channel,
                "recipient": message.recipient,
                "template": message.template,
                "language": message.language,
                "context": stored[id(message.context)],
                "sealed": sealed[id(secrets)] if secrets else None,
                "group_key": message.group_key,
                "idempotency_key": message.idempotency_key,
                "before_min": message.before_min,
                "event_at": message.event_at,
                "due_at": due,
                "expires_at": message.expires_at,
                "status": Status.PENDING,
                "attempts": 0,
                "next_attempt_at": due,
                "created_at": now,
            }
        )
    if not rows:
        return []
    statement = _INSERTS[db.session.get_bind().dialect.name]
    result = db.session.execute(statement, rows[0] if len(rows) == 1 else rows)
    inserted = set(result.scalars())
    queued = []
    for row in rows:
        key = row["idempotency_key"]
        queued.append(key in inserted)
        inserted.discard(key)
    return queued


def _insert_once(insert: Any) -> Any:
    """An insert of messages that skips those whose idempotency key is already queued."""
    table = OutboxMessage.__table__
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.idempotency_key)
    )


# Built once: the values go in as parameters, so every message reuses the compiled statement.
_INSERTS = {"postgresql": _insert_once(postgresql.insert), "sqlite": _insert_once(sqlite.insert)}
_CHANNELS = frozenset(c.value for c in ChannelKind)


def cancel_pending(group_key: str, templates: tuple[str, ...] | None = None) -> int:
    """Cancel the group's messages that have not gone out yet; returns how many.

    A message a dispatcher has already claimed (status ``sending``) is not stopped.
    """
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.group_key == group_key, OutboxMessage.status == Status.PENDING)
        .values(status=Status.CANCELLED, last_error=None)
    )
    if templates is not None:
        statement = statement.where(OutboxMessage.template.in_(templates))
    return int(db.session.execute(statement).rowcount)  # type: ignore[attr-defined]


def retime_pending(
    group_key: str,
    event_at: datetime,
    context: FamilyNotice,
    zone: ZoneInfo,
    quiet: tuple[int, int] = rules.QUIET_HOURS,
    now: datetime | None = None,
    secrets: Mapping[str, str] | None = None,
) -> set[tuple[str, int]]:
    """Move the group's pending reminders to a new meeting time ``event_at``.

    Each keeps its distance before the meeting (and the SMS quiet hours); one that
    would now be due in the past is cancelled. ``context`` replaces the reminders'
    context (the new date and time), and ``secrets``, when given, their sealed values
    (a worker's move gives the family a new video link). Returns the (channel,
    before_min) still pending.
    """
    now = now or now_utc()
    rows = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.group_key == group_key,
            OutboxMessage.status == Status.PENDING,
            OutboxMessage.before_min.is_not(None),
        )
    ).all()
    kept: set[tuple[str, int]] = set()
    stored = context_json(context)
    sealed = seal(dict(secrets), current_app.config["SECRET_KEY"]) if secrets else None
    for row in rows:
        before = int(row.before_min or 0)
        due = rules.reminder_due(row.channel, before, event_at, now, zone, quiet)
        if due is None:
            row.status = Status.CANCELLED
            continue
        row.due_at = row.next_attempt_at = due
        row.event_at = row.expires_at = event_at
        row.context = stored
        if sealed is not None:
            row.sealed = sealed
        kept.add((row.channel, before))
    db.session.flush()
    return kept


def sealed_secrets(group_key: str) -> dict[str, str] | None:
    """The secret values queued last with the group's messages (the manage link), or None."""
    sealed = db.session.scalar(
        select(OutboxMessage.sealed)
        .where(OutboxMessage.group_key == group_key, OutboxMessage.sealed.is_not(None))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    if sealed is None:
        return None
    try:
        opened = unseal(sealed, current_app.config["SECRET_KEY"])
    except UnsealError:
        return None
    return {str(name): str(value) for name, value in opened.items()}


@dataclass(frozen=True)
class FailedMessage:
    """A message the dispatcher gave up on, for the staff's list."""

    id: int
    channel: str
    recipient: str
    template: str
    group_key: str | None
    due_at: datetime
    attempts: int
    last_error: str | None


def failed_messages(organisation_id: int, limit: int = 200) -> list[FailedMessage]:
    """The organisation's failed messages, newest first (shown to staff).

    The recipient is client data: a page that shows it writes an access-log row.
    """
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.organisation_id == organisation_id,
            OutboxMessage.status == Status.FAILED,
        )
        .order_by(OutboxMessage.due_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    return [
        FailedMessage(
            r.id,
            r.channel,
            r.recipient,
            r.template,
            r.group_key,
            r.due_at,
            r.attempts,
            r.last_error,
        )
        for r in rows
    ]


def retry_failed(message_id: int, organisation_id: int) -> bool:
    """Give a failed message a fresh set of attempts, starting now (a staff action)."""
    now = now_utc()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.organisation_id == organisation_id,
            OutboxMessage.status == Status.FAILED,
        )
        .values(
            status=Status.PENDING,
            attempts=0,
            next_attempt_at=now,
            expires_at=None,
            last_error=None,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def purge_finished(before: datetime) -> int:
    """Delete sent, cancelled and failed messages created before ``before`` (retention)."""
    result = db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_([Status.SENT, Status.CANCELLED, Status.FAILED]),
            OutboxMessage.created_at < before,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
