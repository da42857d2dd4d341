"""The dispatcher: claims, sends, retries with backoff, gives up visibly, survives
crashed peers and never sends twice when two run at once. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

import notifications
from notifications import OutboxMessage, StaffNotice
from notifications.config import dispatch_settings
from notifications.contract import context_json
from notifications.dispatcher import Dispatcher
from scheduler.extensions import db
from tests.notifications.booking_helpers import dispatch
from tests.notifications.conftest import use_sms, use_smtp
from tests.notifications.contexts import message_context
from tests.notifications.servers import SmsGateway, SmtpServer, body

CONTEXT = message_context()


def now() -> datetime:
    return datetime.now(UTC)


def queue(
    n: int, channel: str = "email", due: datetime | None = None, prefix: str = "m", **kw: Any
) -> None:
    for i in range(n):
        notifications.enqueue(
            channel=channel,
            recipient="maija@example.test" if channel == "email" else "+358401234567",
            template="reminder",
            language="fi",
            context=CONTEXT,
            secrets={"manage_url": f"http://127.0.0.1:5000/manage/secret-{i}"},
            idempotency_key=f"{prefix}-{i}",
            due_at=due,
            organisation_id=1,
            group_key=f"booking:{prefix}-{i}",
            **kw,
        )
    db.session.commit()


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_due_messages_are_sent_and_future_ones_wait(
    any_app: Flask, smtp_server: SmtpServer
) -> None:
    use_smtp(any_app, smtp_server)
    queue(3)
    queue(1, due=now() + timedelta(hours=1), prefix="later")

    report = dispatch()

    assert report.sent == 3
    assert [r.status for r in rows()] == ["sent", "sent", "sent", "pending"]
    assert len(smtp_server.handler.received) == 3
    text = body(smtp_server.handler.messages()[0], "plain")
    assert "/manage/secret-0" in text  # the sealed link, opened at sending time


def test_enqueue_is_idempotent(any_app: Flask) -> None:
    queue(1)
    again = notifications.enqueue(
        channel="email",
        recipient="other@example.test",
        template="reminder",
        language="fi",
        context=CONTEXT,
        idempotency_key="m-0",
    )
    db.session.commit()

    assert again is False
    assert [r.recipient for r in rows()] == ["maija@example.test"]


def test_failures_back_off_exponentially_then_fail_visibly(
    any_app: Flask, sms_gateway: SmsGateway
) -> None:
    use_sms(any_app, sms_gateway)
    any_app.config.update(NOTIFY_MAX_ATTEMPTS=3, NOTIFY_RETRY_SECONDS=60)
    sms_gateway.statuses = [503, 503, 503]
    queue(1, channel="sms")
    start = now()

    dispatch(now=start)
    (row,) = rows()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == start + timedelta(seconds=60)
    assert "503" in (row.last_error or "")

    assert dispatch(now=start + timedelta(seconds=59)).sent == 0
    dispatch(now=start + timedelta(seconds=60))
    (row,) = rows()
    assert row.attempts == 2 and row.next_attempt_at == start + timedelta(seconds=180)

    dispatch(now=start + timedelta(seconds=180))
    (row,) = rows()
    assert (row.status, row.attempts) == ("failed", 3)
    (failed,) = notifications.failed_messages(1)
    assert failed.id == row.id and failed.channel == "sms" and "503" in (failed.last_error or "")
    assert notifications.failed_messages(2) == []  # another organisation sees nothing
    assert len(sms_gateway.requests) == 3


def test_a_permanent_failure_is_not_retried(any_app: Flask, sms_gateway: SmsGateway) -> None:
    use_sms(any_app, sms_gateway)
    sms_gateway.statuses = [400]
    queue(1, channel="sms")

    report = dispatch()

    assert report.failed == 1
    (row,) = rows()
    assert (row.status, row.attempts) == ("failed", 1)


def test_staff_can_retry_a_failed_message(any_app: Flask, sms_gateway: SmsGateway) -> None:
    use_sms(any_app, sms_gateway)
    sms_gateway.statuses = [400]
    queue(1, channel="sms")
    dispatch()
    (row,) = rows()

    assert notifications.retry_failed(row.id, organisation_id=2) is False
    assert notifications.retry_failed(row.id, organisation_id=1) is True
    db.session.commit()
    dispatch()

    assert rows()[0].status == "sent"
    assert len(sms_gateway.requests) == 2


def test_claims_of_a_dead_dispatcher_become_due_after_the_lease(
    any_app: Flask, smtp_server: SmtpServer
) -> None:
    use_smtp(any_app, smtp_server)
    any_app.config["NOTIFY_LEASE_SECONDS"] = 120
    queue(2)
    start = now()
    dead = Dispatcher(
        db.session(), dispatch_settings(any_app.config), worker="dead-worker", clock=lambda: start
    )
    assert len(dead.claim()) == 2  # … and the worker dies here

    assert dispatch(now=start + timedelta(seconds=60)).sent == 0
    report = dispatch(now=start + timedelta(seconds=121))

    assert report.sent == 2
    assert [(r.status, r.attempts) for r in rows()] == [("sent", 2), ("sent", 2)]


def test_a_reminder_too_late_for_its_meeting_is_not_sent(
    any_app: Flask, smtp_server: SmtpServer
) -> None:
    use_smtp(any_app, smtp_server)
    queue(1, due=now() - timedelta(hours=2), expires_at=now() - timedelta(minutes=1))

    dispatch()

    (row,) = rows()
    assert row.status == "failed" and "already begun" in (row.last_error or "")
    assert smtp_server.handler.received == []


def test_a_message_sealed_with_another_key_fails_visibly(
    any_app: Flask, smtp_server: SmtpServer
) -> None:
    use_smtp(any_app, smtp_server)
    queue(1)
    any_app.config["SECRET_KEY"] = "a-rotated-secret-key"

    dispatch()

    (row,) = rows()
    assert row.status == "failed" and "SECRET_KEY" in (row.last_error or "")


def test_cancel_touches_only_pending_messages_of_the_group(any_app: Flask) -> None:
    queue(2)
    first, _ = rows()
    first.status = "sent"
    db.session.commit()

    assert notifications.cancel_pending("booking:m-0") == 0
    assert notifications.cancel_pending("booking:m-1") == 1
    db.session.commit()
    assert [r.status for r in rows()] == ["sent", "cancelled"]


def test_log_channel_is_used_when_nothing_is_configured(
    any_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    queue(1)
    queue(1, channel="sms", prefix="s")

    with caplog.at_level("INFO", logger="notifications.outgoing"):
        report = dispatch()

    assert report.sent == 2
    assert "e-mail to maija@example.test" in caplog.text
    assert "SMS to +358401234567" in caplog.text


def test_two_dispatchers_at_once_never_send_twice(any_app: Flask, smtp_server: SmtpServer) -> None:
    use_smtp(any_app, smtp_server)
    any_app.config["NOTIFY_BATCH"] = 10
    smtp_server.handler.delay = 0.002  # keep both dispatchers busy at the same time
    queue(150)
    reports: list[notifications.DispatchReport] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        try:
            with any_app.app_context():
                barrier.wait()
                reports.append(notifications.dispatch_due())
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    ids = [m["Message-ID"] for m in smtp_server.handler.messages()]
    assert len(ids) == 150 and len(set(ids)) == 150
    assert sum(r.sent for r in reports) == 150
    assert sum(1 for r in reports if r.sent) >= 2, "the dispatchers did not overlap"
    assert {r.status for r in rows()} == {"sent"}


def test_a_message_that_cannot_be_rendered_fails_visibly(
    any_app: Flask, smtp_server: SmtpServer
) -> None:
    use_smtp(any_app, smtp_server)
    queue(1)
    # A row whose stored context does not fit its template (written by hand, or by a
    # version that wrote something else).
    db.session.execute(update(OutboxMessage).values(context={"service_name": "Perheneuvola"}))
    db.session.commit()

    report = dispatch()

    assert report.failed == 1
    (row,) = rows()
    assert row.status == "failed" and "cannot render" in (row.last_error or "")
    assert smtp_server.handler.received == []


def test_a_row_written_before_the_context_was_typed_is_still_sent(
    any_app: Flask, smtp_server: SmtpServer
) -> None:
    use_smtp(any_app, smtp_server)
    queue(1)
    # Earlier rows stored the context as a plain mapping with ``manage_url: null`` in it.
    stored = {**context_json(CONTEXT), "manage_url": None}
    db.session.execute(update(OutboxMessage).values(context=stored))
    db.session.commit()

    assert dispatch().sent == 1
    assert "/manage/secret-0" in body(smtp_server.handler.messages()[0], "plain")


def test_a_context_of_another_kind_than_the_template_takes_is_refused(any_app: Flask) -> None:
    staff_notice = StaffNotice(
        event="booked",
        organisation_name="Rovaniemi",
        email_from=None,
        professional_name="Liisa",
        service_name="Perheneuvola",
        meeting_mode="video",
        staff_url="http://127.0.0.1:5000/staff",
        weekday="tiistaina",
        weekday_short="ti",
        date="24.11.2026",
        time="klo 10.00",
        time_range="klo 10.00–10.45",
    )
    with pytest.raises(TypeError):
        notifications.enqueue(
            channel="email",
            recipient="maija@example.test",
            template="reminder",
            language="fi",
            context=staff_notice,
            idempotency_key="wrong-kind",
        )
    assert rows() == []
