"""A real worker process (``flask --app wsgi worker``) killed with SIGKILL in the middle
of a batch, then a new one: every message arrives, at most the one in flight twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

import notifications
from notifications import OutboxMessage
from scheduler.extensions import db
from tests.notifications.contexts import message_context
from tests.notifications.servers import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 200


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


@pytest.mark.slow
def test_sigkill_mid_batch_loses_nothing_and_doubles_at_most_one(
    pg_app: Flask, postgres_database: str, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    smtp_server.handler.delay = 0.01  # a message takes a while: the kill lands mid-batch
    for i in range(MESSAGES):
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
    log = tmp_path / "worker.log"
    received = smtp_server.handler.received

    first = start_worker(postgres_database, smtp_server, log)
    try:
        wait_for(lambda: len(received) >= 40, 60, "the first worker to send 40 messages")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    at_kill = len(received)
    assert first.returncode == -signal.SIGKILL
    assert count("sending") > 0, "the kill should leave claimed, unsent messages behind"
    assert at_kill < MESSAGES

    second = start_worker(postgres_database, smtp_server, log)
    try:
        wait_for(lambda: count("sent") == MESSAGES, 120, "every message to be marked sent")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    assert second.returncode == 0, log.read_text()

    per_message = Counter(m["Message-ID"] for m in smtp_server.handler.messages())
    assert len(per_message) == MESSAGES, "a message was lost"
    doubled = [mid for mid, n in per_message.items() if n > 1]
    assert len(doubled) <= 1, f"more than the one in-flight message arrived twice: {doubled}"
    assert max(per_message.values()) <= 2
