"""A real worker process (``flask --app wsgi worker``) killed with SIGKILL inside a
message's SMTP DATA exchange, then a new one: every message arrives at least once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select

import notifications
from notifications import OutboxMessage
from scheduler.extensions import db
from tests.notifications.booking_helpers import dispatch
from tests.notifications.conftest import use_smtp
from tests.notifications.contexts import message_context
from tests.notifications.servers import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 60
HELD = 25  # the message whose DATA exchange the kill interrupts


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def start_worker(database_url: str, smtp: SmtpServer, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ETAAIKA_DATABASE_URL": database_url,
        "ETAAIKA_SECRET_KEY": "test-secret-key",
        "ETAAIKA_SMTP_HOST": smtp.host,
        "ETAAIKA_SMTP_PORT": str(smtp.port),
        "ETAAIKA_SMTP_SECURITY": "none",
        "ETAAIKA_NOTIFY_BATCH": "100",
        "ETAAIKA_NOTIFY_LEASE_SECONDS": "3",
    }
    flask = Path(sys.executable).with_name("flask")
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(flask), "--app", "wsgi", "worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def count(status: str) -> int:
    db.session.rollback()  # a fresh snapshot
    return int(
        db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == status)
        )
        or 0
    )


def queue_messages(n: int) -> None:
    for i in range(n):
        notifications.enqueue(
            channel="email",
            recipient=f"family{i}@example.test",
            template="cancelled",
            language="fi",
            idempotency_key=f"crash-{i}",
            organisation_id=1,
            context=message_context(
                email_from="noreply@rovaniemi.test",
                client_name=f"Perhe {i}",
                cancelled_by="staff",
            ),
        )
    db.session.commit()


@pytest.mark.slow
def test_sigkill_inside_the_data_exchange_loses_no_message(
    pg_app: Flask, postgres_database: str, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """The worker is killed after it has sent a message's content and before the server
    has answered: the server never took that message, so it must be sent again."""
    handler = smtp_server.handler
    handler.hold_at = HELD
    queue_messages(MESSAGES)
    log = tmp_path / "worker.log"

    first = start_worker(postgres_database, smtp_server, log)
    try:
        assert handler.holding.wait(60), "the first worker should reach the held message"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert first.returncode == -signal.SIGKILL
    # The server sees the connection go while it still holds the message: the kill
    # landed inside the DATA exchange, and the message was not taken.
    wait_for(lambda: len(handler.dropped) == 1, 30, "the server to see the connection drop")
    handler.release.set()
    held_id = handler.dropped[0].message["Message-ID"]
    assert len(handler.received) == HELD - 1
    assert held_id not in {m["Message-ID"] for m in handler.messages()}
    assert count("sending") > 0, "the kill should leave claimed, unsent messages behind"

    second = start_worker(postgres_database, smtp_server, log)
    try:
        wait_for(lambda: count("sent") == MESSAGES, 120, "every message to be marked sent")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    assert second.returncode == 0, log.read_text()

    per_message = Counter(m["Message-ID"] for m in handler.messages())
    assert len(per_message) == MESSAGES, "a message was lost"
    assert per_message[held_id] == 1, "the message the server never took is sent again"
    doubled = [mid for mid, n in per_message.items() if n > 1]
    assert len(doubled) <= 1, f"more than the one in-flight message arrived twice: {doubled}"


def test_a_message_is_marked_sent_only_after_the_server_has_taken_it(
    any_app: Flask, smtp_server: SmtpServer
) -> None:
    """Each "sent" the dispatcher writes comes after the server's answer to that
    message's DATA: a crash between the two can then only send twice, never lose."""
    use_smtp(any_app, smtp_server)
    handler = smtp_server.handler
    handler.delay = 0.2  # each answer takes a while: a "sent" written early shows
    queue_messages(3)
    sent_so_far: list[int] = []  # messages the server had taken at each "sent" written

    def before_execute(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        values = parameters.values() if isinstance(parameters, dict) else parameters
        if statement.startswith("UPDATE outbox_messages") and "sent" in [str(v) for v in values]:
            sent_so_far.append(len(handler.received))

    event.listen(db.engine, "before_cursor_execute", before_execute)
    try:
        report = dispatch()
    finally:
        event.remove(db.engine, "before_cursor_execute", before_execute)

    assert report.sent == 3
    # The n-th "sent" is written when the server has taken at least n messages.
    assert sent_so_far == [1, 2, 3], sent_so_far


def test_a_connection_dropped_before_the_answer_sends_the_message_again(
    any_app: Flask, smtp_server: SmtpServer
) -> None:
    use_smtp(any_app, smtp_server)
    smtp_server.handler.drop_at = {3}
    queue_messages(5)

    report = dispatch()

    assert report.sent == 5
    assert len(smtp_server.handler.dropped) == 1
    per_message = Counter(m["Message-ID"] for m in smtp_server.handler.messages())
    assert len(per_message) == 5 and set(per_message.values()) == {1}
    assert count("sent") == 5
