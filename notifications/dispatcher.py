"""The dispatcher: claims due outbox rows in batches, sends them, marks each one.

1. Claim: in one short transaction, pick due rows and mark them ``sending`` with a
   lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so that concurrent dispatchers
   take disjoint rows; on SQLite every write transaction is serialised by
   ``BEGIN IMMEDIATE``, so only one dispatcher claims at a time). Commit.
2. Send each claimed message, then mark it ``sent`` in its own commit.

A dispatcher that dies after a claim leaves ``sending`` rows whose lease runs out;
they are then due again. The only message that can go out twice is the one that was
in flight when the process died (sent, but not yet marked). Failures are retried
with exponential backoff; after ``NOTIFY_MAX_ATTEMPTS`` the row is marked failed.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update

from notifications.channels import Channel, Outgoing, SendError, build_channels
from notifications.config import DispatchSettings, dispatch_settings, smtp_settings
from notifications.invite import build_invite, invite_method
from notifications.models import OutboxMessage, Status
from notifications.rendering import render_email, render_sms
from notifications.sealing import UnsealError, unseal
from scheduler.extensions import db

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=6)
_stop = threading.Event()


def request_stop() -> None:
    """Ask running dispatch loops to finish after the message in hand (SIGTERM)."""
    _stop.set()


@dataclass(frozen=True)
class Claimed:
    """A claimed row as plain values (the session's objects expire at each commit)."""

    id: int
    channel: str
    recipient: str
    template: str
    language: str
    context: dict[str, Any]
    sealed: str | None
    idempotency_key: str
    attempts: int
    expires_at: datetime | None


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def retry_delay(attempts: int, settings: DispatchSettings) -> timedelta:
    """Exponential backoff: the first retry after ``retry_seconds``, doubling each time."""
    delay = timedelta(seconds=settings.retry_seconds * 2 ** max(attempts - 1, 0))
    return min(delay, MAX_RETRY_DELAY)


def claim_batch(worker: str, settings: DispatchSettings, now: datetime) -> list[Claimed]:
    """Claim up to ``settings.batch`` due rows for ``worker`` and commit the claim."""
    due = or_(
        and_(OutboxMessage.status == Status.PENDING.value, OutboxMessage.next_attempt_at <= now),
        # A claim whose lease ran out belongs to a dispatcher that died or hung.
        and_(OutboxMessage.status == Status.SENDING.value, OutboxMessage.lease_until <= now),
    )
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(due)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(settings.batch)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        db.session.commit()
        return []
    rows = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            status=Status.SENDING.value,
            claimed_by=worker,
            lease_until=now + timedelta(seconds=settings.lease_seconds),
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(
            OutboxMessage.id, OutboxMessage.channel, OutboxMessage.recipient,
            OutboxMessage.template, OutboxMessage.language, OutboxMessage.context,
            OutboxMessage.sealed, OutboxMessage.idempotency_key, OutboxMessage.attempts,
            OutboxMessage.expires_at,
        )
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    order = {id_: n for n, id_ in enumerate(ids)}
    return sorted((Claimed(*row) for row in rows), key=lambda c: order[c.id])


def _finish(message: Claimed, worker: str, **values: Any) -> None:
    """Record the outcome of one message in its own commit."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.claimed_by == worker,
            OutboxMessage.status == Status.SENDING.value,
        )
        .values(lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def render(message: Claimed, default_from: str) -> Outgoing:
    """Turn a claimed row into what its channel sends."""
    variables = dict(message.context)
    if message.sealed:
        variables.update(unseal(message.sealed, current_app.config["SECRET_KEY"]))
    if message.channel == "sms":
        text = render_sms(message.template, message.language, variables)
        return Outgoing(message.recipient, text, message.idempotency_key)
    content = render_email(message.template, message.language, variables)
    method = invite_method(message.template)
    invite = variables.get("invite")
    calendar = build_invite(method, invite) if method and invite else None
    return Outgoing(
        recipient=message.recipient,
        text=content.text,
        idempotency_key=message.idempotency_key,
        sender=variables.get("email_from") or default_from,
        subject=content.subject,
        html=content.html,
        calendar=calendar,
        calendar_method=method if calendar else None,
    )


def release(messages: list[Claimed], worker: str) -> None:
    """Hand back claimed messages that were not tried (the dispatcher is stopping)."""
    if not messages:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_([m.id for m in messages]),
            OutboxMessage.claimed_by == worker,
            OutboxMessage.status == Status.SENDING.value,
        )
        .values(status=Status.PENDING.value, claimed_by=None, lease_until=None,
                attempts=OutboxMessage.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def deliver(channel: Channel, message: Claimed, worker: str, settings: DispatchSettings,
            default_from: str, report: DispatchReport, now: datetime) -> None:
    """Send one claimed message and record what happened."""
    if message.attempts > settings.max_attempts:
        # Claimed again after its lease ran out, that many times: a dispatcher keeps
        # dying on this message. Stop trying rather than loop forever.
        _finish(message, worker, status=Status.FAILED.value,
                last_error="dispatcher stopped while sending, too many times")
        report.failed += 1
        return
    if message.expires_at is not None and message.expires_at <= now:
        _finish(message, worker, status=Status.FAILED.value, sealed=None,
                last_error="not sent in time: the meeting had already begun")
        report.failed += 1
        return
    try:
        outgoing = render(message, default_from)
    except (UnsealError, LookupError, ValueError, TypeError) as exc:
        log.exception("message %s cannot be rendered", message.id)
        _finish(message, worker, status=Status.FAILED.value,
                last_error=f"cannot render: {exc.__class__.__name__}: {exc}"[:500])
        report.failed += 1
        return
    try:
        channel.send(outgoing)
    except SendError as exc:
        _failed_attempt(message, worker, settings, str(exc), exc.permanent, now, report)
        return
    except Exception as exc:  # a bug or an unforeseen library error: retry, and say so
        log.exception("channel %s failed on message %s", channel.name, message.id)
        _failed_attempt(message, worker, settings, f"{exc.__class__.__name__}: {exc}", False,
                        now, report)
        return
    _finish(message, worker, status=Status.SENT.value, sent_at=now, sealed=None,
            last_error=None)
    report.sent += 1


def _failed_attempt(message: Claimed, worker: str, settings: DispatchSettings, error: str,
                    permanent: bool, now: datetime, report: DispatchReport) -> None:
    if permanent or message.attempts >= settings.max_attempts:
        log.warning("message %s failed for good after %s attempts: %s", message.id,
                    message.attempts, error)
        _finish(message, worker, status=Status.FAILED.value, last_error=error[:500])
        report.failed += 1
    else:
        _finish(message, worker, status=Status.PENDING.value, last_error=error[:500],
                next_attempt_at=now + retry_delay(message.attempts, settings))
        report.retried += 1
    report.errors.append(error)


def dispatch_due(now: datetime | None = None, max_batches: int | None = None) -> DispatchReport:
    """Periodic job: send every due message, batch by batch, until none is left
    (or ``NOTIFY_RUN_SECONDS`` have passed; the next run goes on). Safe to run
    twice at once. ``now`` fixes the clock for tests."""
    settings = dispatch_settings(current_app.config)
    smtp = smtp_settings(current_app.config)
    default_from = smtp.default_from if smtp else "etaaika@localhost"
    worker = worker_name()
    report = DispatchReport()
    started = time.monotonic()
    batches = 0
    while not _stop.is_set() and time.monotonic() - started < settings.run_seconds:
        if max_batches is not None and batches >= max_batches:
            break
        claimed = claim_batch(worker, settings, now or _now())
        if not claimed:
            break
        batches += 1
        by_channel: dict[str, list[Claimed]] = defaultdict(list)
        for message in claimed:
            by_channel[message.channel].append(message)
        channels = build_channels(current_app.config)
        for kind, messages in by_channel.items():
            with channels[kind] as channel:
                for n, message in enumerate(messages):
                    if _stop.is_set():
                        release(messages[n:], worker)
                        break
                    deliver(channel, message, worker, settings, default_from, report,
                            now or _now())
    return report
