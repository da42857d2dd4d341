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

The dispatcher's own commits (claims and outcomes) skip the wait for the disk flush
(``synchronous_commit = off`` on PostgreSQL, ``synchronous = NORMAL`` on SQLite's WAL):
they survive the dispatcher's crash, and an operating-system crash can at worst lose
the last few "sent" marks, so that those messages go out again. Nothing can be lost,
since the dispatcher never creates messages, and one flush per message would cap
delivery at the disk's flush rate.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from jinja2 import TemplateError
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from notifications.channels import Channel, Outgoing, SendError, build_channels
from notifications.config import DispatchSettings, dispatch_settings, smtp_settings
from notifications.contract import FamilyNotice, read_context, template_variables
from notifications.invite import build_invite, invite_method
from notifications.models import OutboxMessage, Status
from notifications.rendering import render_email, render_sms
from notifications.sealing import UnsealError, unseal
from scheduler.extensions import db
from scheduler.kernel import now_utc

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


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def retry_delay(attempts: int, settings: DispatchSettings) -> timedelta:
    """Exponential backoff: the first retry after ``retry_seconds``, doubling each time."""
    delay = timedelta(seconds=settings.retry_seconds * 2 ** max(attempts - 1, 0))
    return min(delay, MAX_RETRY_DELAY)


@contextmanager
def dispatcher_session() -> Iterator[Session]:
    """A session on a connection of the dispatcher's own, with fast commits (see above).

    The setting is made on the bare connection and undone before it goes back to
    the pool, so that no other transaction inherits it.
    """
    connection = db.engine.connect()
    dialect = connection.dialect.name
    raw: Any = connection.connection.driver_connection
    if dialect == "sqlite":
        # A pragma that cannot change inside a transaction: set outside any.
        previous = int(raw.execute("PRAGMA synchronous").fetchone()[0])
        raw.execute("PRAGMA synchronous = NORMAL")
    elif dialect == "postgresql":
        connection.exec_driver_sql("SET synchronous_commit TO off")
        connection.commit()
    session = Session(bind=connection, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        try:
            if dialect == "sqlite":
                raw.execute(f"PRAGMA synchronous = {previous}")
            elif dialect == "postgresql":
                connection.rollback()
                connection.exec_driver_sql("RESET synchronous_commit")
                connection.commit()
        except Exception:
            # A connection that cannot be reset must not serve anyone else.
            connection.invalidate()
            raise
        finally:
            connection.close()


class Dispatcher:
    """One dispatch run: claims batches for one worker name and delivers them."""

    def __init__(
        self,
        session: Session,
        settings: DispatchSettings,
        default_from: str = "etaaika@localhost",
        worker: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.default_from = default_from
        self.worker = worker or worker_name()
        self.clock = clock or now_utc
        self.report = DispatchReport()

    def claim(self) -> list[Claimed]:
        """Claim up to ``batch`` due rows and commit the claim."""
        now = self.clock()
        due = or_(
            and_(
                OutboxMessage.status == Status.PENDING,
                OutboxMessage.next_attempt_at <= now,
            ),
            # A claim whose lease ran out belongs to a dispatcher that died or hung.
            and_(OutboxMessage.status == Status.SENDING, OutboxMessage.lease_until <= now),
        )
        ids = list(
            self.session.scalars(
                select(OutboxMessage.id)
                .where(due)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(self.settings.batch)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            self.session.commit()
            return []
        rows = self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(
                status=Status.SENDING,
                claimed_by=self.worker,
                lease_until=now + timedelta(seconds=self.settings.lease_seconds),
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(
                OutboxMessage.id,
                OutboxMessage.channel,
                OutboxMessage.recipient,
                OutboxMessage.template,
                OutboxMessage.language,
                OutboxMessage.context,
                OutboxMessage.sealed,
                OutboxMessage.idempotency_key,
                OutboxMessage.attempts,
                OutboxMessage.expires_at,
            )
            .execution_options(synchronize_session=False)
        ).all()
        self.session.commit()
        order = {id_: n for n, id_ in enumerate(ids)}
        return sorted((Claimed(*row) for row in rows), key=lambda c: order[c.id])

    def _finish(self, message: Claimed, **values: Any) -> None:
        """Record the outcome of one message in its own commit."""
        self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message.id,
                OutboxMessage.claimed_by == self.worker,
                OutboxMessage.status == Status.SENDING,
            )
            .values(lease_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        self.session.commit()

    def release(self, messages: list[Claimed]) -> None:
        """Hand back claimed messages that were not tried (the dispatcher is stopping)."""
        if not messages:
            return
        self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_([m.id for m in messages]),
                OutboxMessage.claimed_by == self.worker,
                OutboxMessage.status == Status.SENDING,
            )
            .values(
                status=Status.PENDING,
                claimed_by=None,
                lease_until=None,
                attempts=OutboxMessage.attempts - 1,
            )
            .execution_options(synchronize_session=False)
        )
        self.session.commit()

    def deliver(self, channel: Channel, message: Claimed) -> None:
        """Send one claimed message and record what happened."""
        now = self.clock()
        if message.attempts > self.settings.max_attempts:
            # Claimed again after its lease ran out, that many times: a dispatcher keeps
            # dying on this message. Stop trying rather than loop forever.
            self._give_up(message, "dispatcher stopped while sending, too many times")
            return
        if message.expires_at is not None and message.expires_at <= now:
            self._give_up(message, "not sent in time: the meeting had already begun")
            return
        try:
            outgoing = render(message, self.default_from)
        except (UnsealError, TemplateError, LookupError, ValueError, TypeError) as exc:
            log.exception("message %s cannot be rendered", message.id)
            self._give_up(message, f"cannot render: {exc.__class__.__name__}: {exc}")
            return
        try:
            channel.send(outgoing)
        except SendError as exc:
            self._failed_attempt(message, str(exc), exc.permanent, now)
            return
        except Exception as exc:  # a bug or an unforeseen library error: retry, and say so
            log.exception("channel %s failed on message %s", channel.name, message.id)
            self._failed_attempt(message, f"{exc.__class__.__name__}: {exc}", False, now)
            return
        self._finish(message, status=Status.SENT, sent_at=now, last_error=None)
        self.report.sent += 1

    def _give_up(self, message: Claimed, error: str) -> None:
        log.warning(
            "message %s failed for good after %s attempts: %s", message.id, message.attempts, error
        )
        self._finish(message, status=Status.FAILED, last_error=error[:500])
        self.report.failed += 1
        self.report.errors.append(error)

    def _failed_attempt(self, message: Claimed, error: str, permanent: bool, now: datetime) -> None:
        if permanent or message.attempts >= self.settings.max_attempts:
            self._give_up(message, error)
            return
        self._finish(
            message,
            status=Status.PENDING,
            last_error=error[:500],
            next_attempt_at=now + retry_delay(message.attempts, self.settings),
        )
        self.report.retried += 1
        self.report.errors.append(error)

    def run(
        self, channels: Callable[[], dict[str, Channel]], max_batches: int | None = None
    ) -> DispatchReport:
        """Claim and deliver batch after batch until nothing is due (or time is up)."""
        started = time.monotonic()
        batches = 0
        while not _stop.is_set() and time.monotonic() - started < self.settings.run_seconds:
            if max_batches is not None and batches >= max_batches:
                break
            claimed = self.claim()
            if not claimed:
                break
            batches += 1
            by_channel: dict[str, list[Claimed]] = defaultdict(list)
            for message in claimed:
                by_channel[message.channel].append(message)
            available = channels()
            for kind, messages in by_channel.items():
                with available[kind] as channel:
                    for n, message in enumerate(messages):
                        if _stop.is_set():
                            self.release(messages[n:])
                            break
                        self.deliver(channel, message)
        return self.report


def render(message: Claimed, default_from: str) -> Outgoing:
    """Turn a claimed row into what its channel sends."""
    context = read_context(message.template, message.context)
    secrets = unseal(message.sealed, current_app.config["SECRET_KEY"]) if message.sealed else {}
    variables = template_variables(context, secrets)
    if message.channel == "sms":
        text = render_sms(message.template, message.language, variables)
        return Outgoing(message.recipient, text, message.idempotency_key)
    content = render_email(message.template, message.language, variables)
    method = invite_method(message.template)
    invite = context.invite if isinstance(context, FamilyNotice) else None
    calendar = build_invite(method, invite) if method and invite else None
    return Outgoing(
        recipient=message.recipient,
        text=content.text,
        idempotency_key=message.idempotency_key,
        sender=context.email_from or default_from,
        subject=content.subject,
        html=content.html,
        calendar=calendar,
        calendar_method=method if calendar else None,
    )


def preview(row: OutboxMessage) -> Outgoing:
    """What the channel is (or was) given for an outbox row, rendered as the dispatcher
    renders it; for the development page of messages. Raises ``ValueError`` (or a
    ``TemplateError``) when the row cannot be rendered."""
    config = current_app.config
    smtp = smtp_settings(config)
    claimed = Claimed(
        id=row.id,
        channel=row.channel,
        recipient=row.recipient,
        template=row.template,
        language=row.language,
        context=dict(row.context or {}),
        sealed=row.sealed,
        idempotency_key=row.idempotency_key,
        attempts=row.attempts,
        expires_at=row.expires_at,
    )
    try:
        return render(claimed, smtp.default_from if smtp else "etaaika@localhost")
    except UnsealError as exc:
        raise ValueError(str(exc)) from exc


def dispatch_due(now: datetime | None = None, max_batches: int | None = None) -> DispatchReport:
    """Periodic job: send every due message, batch by batch, until none is left
    (or ``NOTIFY_RUN_SECONDS`` have passed; the next run goes on). Safe to run
    twice at once. ``now`` fixes the clock for tests.

    Works on a connection of its own: on SQLite, the caller must not hold a
    transaction open (every SQLite transaction takes the write lock).
    """
    config = current_app.config
    smtp = smtp_settings(config)
    with dispatcher_session() as session:
        dispatcher = Dispatcher(
            session,
            dispatch_settings(config),
            default_from=smtp.default_from if smtp else "etaaika@localhost",
            clock=(lambda: now) if now is not None else None,
        )
        return dispatcher.run(lambda: build_channels(config), max_batches)
