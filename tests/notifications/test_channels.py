"""The channels against real servers: SMTP (plain, STARTTLS, implicit TLS, AUTH) and
an HTTP SMS gateway."""

from __future__ import annotations

import base64
import smtplib
from dataclasses import replace
from pathlib import Path

import pytest
from icalendar import Calendar

from notifications.channels import EmailChannel, Outgoing, SendError, SmsHttpChannel
from notifications.config import SmsSettings, SmtpSettings
from notifications.contract import Invite
from notifications.invite import build_invite
from tests.notifications.servers import (
    MailHandler,
    SmsGateway,
    SmtpServer,
    body,
    free_port,
    start_smtp,
)

INVITE = Invite(
    uid="b1@etaaika",
    sequence=2,
    start="2026-11-24T08:00:00+00:00",
    end="2026-11-24T08:45:00+00:00",
    summary="Perheneuvola (Rovaniemi)",
    location="Videotapaaminen",
    organizer_email="noreply@rovaniemi.test",
    organizer_name="Rovaniemi",
    attendee_email="maija@example.test",
    attendee_name="Maija",
)


def smtp(server: SmtpServer, security: str = "none", **kw: object) -> SmtpSettings:
    values: dict = {
        "host": server.host,
        "port": server.port,
        "security": security,
        "user": None,
        "password": None,
        "ca_file": None,
        "timeout": 5.0,
        "default_from": "noreply@etaaika.test",
        **kw,
    }
    return SmtpSettings(**values)


def email(n: int = 0, recipient: str = "maija@example.test", **kw: object) -> Outgoing:
    values: dict = {
        "recipient": recipient,
        "text": f"Hei {n}",
        "idempotency_key": f"key-{n}",
        "sender": "Rovaniemen perhekeskus <noreply@rovaniemi.test>",
        "subject": f"Viesti {n}",
        "html": f"<p>Hei {n}</p>",
        **kw,
    }
    return Outgoing(**values)


def test_email_has_text_html_and_a_stable_message_id(smtp_server: SmtpServer) -> None:
    with EmailChannel(smtp(smtp_server)) as channel:
        channel.send(email(1))
        channel.send(email(1))  # the same message again (a repeat after a crash)

    first, again = smtp_server.handler.messages()
    assert first["From"] == "Rovaniemen perhekeskus <noreply@rovaniemi.test>"
    assert first["Auto-Submitted"] == "auto-generated"
    assert body(first, "plain").strip() == "Hei 1"
    assert body(first, "html").strip() == "<p>Hei 1</p>"
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"].endswith("@rovaniemi.test>")
    assert smtp_server.handler.received[0].mail_from == "noreply@rovaniemi.test"


def test_one_connection_serves_a_whole_batch(smtp_server: SmtpServer) -> None:
    with EmailChannel(smtp(smtp_server)) as channel:
        for n in range(20):
            channel.send(email(n))

    received = smtp_server.handler.received
    assert len(received) == 20
    assert len({item.peer for item in received}) == 1


def test_invitation_is_an_imip_request_part_and_an_attachment(smtp_server: SmtpServer) -> None:
    ics = build_invite("REQUEST", INVITE)
    with EmailChannel(smtp(smtp_server)) as channel:
        channel.send(email(calendar=ics, calendar_method="REQUEST"))

    (message,) = smtp_server.handler.messages()
    parts = {part.get_content_type(): part for part in message.walk()}
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    assert parts["application/ics"].get_filename() == "invite.ics"
    calendar = Calendar.from_ical(parts["text/calendar"].get_content())
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == "b1@etaaika" and int(str(event["SEQUENCE"])) == 2
    assert str(event["ORGANIZER"]) == "mailto:noreply@rovaniemi.test"
    assert str(event["ATTENDEE"]) == "mailto:maija@example.test"


def test_cancel_invitation_keeps_uid_and_says_cancelled() -> None:
    calendar = Calendar.from_ical(build_invite("CANCEL", replace(INVITE, sequence=3)))
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED" and int(str(event["SEQUENCE"])) == 3


def test_starttls_with_auth_and_a_verified_certificate(certificate: tuple[Path, Path]) -> None:
    server = start_smtp(tls="starttls", cert=certificate, auth=("etaaika", "s3cret"))
    try:
        settings = smtp(
            server, "starttls", user="etaaika", password="s3cret", ca_file=str(certificate[0])
        )
        with EmailChannel(settings) as channel:
            channel.send(email())
        assert len(server.handler.received) == 1
    finally:
        server.stop()


def test_wrong_smtp_password_is_an_error(certificate: tuple[Path, Path]) -> None:
    server = start_smtp(tls="starttls", cert=certificate, auth=("etaaika", "s3cret"))
    try:
        settings = smtp(
            server, "starttls", user="etaaika", password="wrong", ca_file=str(certificate[0])
        )
        with EmailChannel(settings) as channel, pytest.raises(SendError, match="login refused"):
            channel.send(email())
        assert server.handler.received == []
    finally:
        server.stop()


def test_starttls_refuses_an_unverified_certificate(certificate: tuple[Path, Path]) -> None:
    server = start_smtp(tls="starttls", cert=certificate)
    try:
        channel = EmailChannel(smtp(server, "starttls"))  # the system's CAs only
        with channel, pytest.raises(SendError, match="SSLCertVerificationError"):
            channel.send(email())
        assert server.handler.received == []
    finally:
        server.stop()


def test_implicit_tls(certificate: tuple[Path, Path]) -> None:
    server = start_smtp(tls="ssl", cert=certificate)
    try:
        with EmailChannel(smtp(server, "ssl", ca_file=str(certificate[0]))) as channel:
            channel.send(email())
        assert len(server.handler.received) == 1
    finally:
        server.stop()


def test_refused_recipient_is_permanent_and_busy_mailbox_is_not() -> None:
    handler = MailHandler(
        refuse={
            "nobody@example.test": "550 No such user",
            "full@example.test": "452 Mailbox full, try later",
        }
    )
    server = start_smtp(handler=handler)
    try:
        with EmailChannel(smtp(server)) as channel:
            with pytest.raises(SendError) as refused:
                channel.send(email(recipient="nobody@example.test"))
            with pytest.raises(SendError) as busy:
                channel.send(email(recipient="full@example.test"))
            channel.send(email(recipient="maija@example.test"))  # the connection still works
        assert refused.value.permanent and not busy.value.permanent
        assert [r.rcpt_tos for r in handler.received] == [["maija@example.test"]]
    finally:
        server.stop()


def test_unreachable_smtp_server_is_a_retryable_error() -> None:
    settings = SmtpSettings("127.0.0.1", free_port(), "none", None, None, None, 2.0, "a@b.test")
    with EmailChannel(settings) as channel, pytest.raises(SendError) as caught:
        channel.send(email())
    assert not caught.value.permanent


def test_a_connection_closed_while_idle_is_reopened(smtp_server: SmtpServer) -> None:
    with EmailChannel(smtp(smtp_server)) as channel:
        channel.send(email(1))
        assert channel._smtp is not None
        channel._smtp.sock.close()  # type: ignore[union-attr]  # the server dropped us
        channel.send(email(2))
    assert len(smtp_server.handler.received) == 2


def sms_channel(gateway: SmsGateway) -> SmsHttpChannel:
    return SmsHttpChannel(SmsSettings(gateway.url, "etaaika", "gw-secret", "Perhekeskus", 5.0))


def test_sms_is_a_json_post_with_credentials_sender_and_idempotency_key(
    sms_gateway: SmsGateway,
) -> None:
    with sms_channel(sms_gateway) as channel:
        channel.send(Outgoing("+358401234567", "Aika varattu", "booking:x:confirmation:sms:s0"))

    (request,) = sms_gateway.requests
    assert request.body == {
        "from": "Perhekeskus",
        "to": "+358401234567",
        "text": "Aika varattu",
        "reference": "booking:x:confirmation:sms:s0",
    }
    expected = "Basic " + base64.b64encode(b"etaaika:gw-secret").decode()
    assert request.headers["Authorization"] == expected
    assert request.headers["Idempotency-Key"] == "booking:x:confirmation:sms:s0"


@pytest.mark.parametrize(
    ("status", "permanent"), [(500, False), (503, False), (429, False), (400, True), (401, True)]
)
def test_sms_gateway_errors(sms_gateway: SmsGateway, status: int, permanent: bool) -> None:
    sms_gateway.statuses = [status]
    with sms_channel(sms_gateway) as channel, pytest.raises(SendError) as caught:
        channel.send(Outgoing("+358401234567", "x", "k"))
    assert caught.value.permanent is permanent


def test_unreachable_sms_gateway_is_retryable() -> None:
    channel = SmsHttpChannel(SmsSettings(f"http://127.0.0.1:{free_port()}/", None, None, "x", 2))
    with channel, pytest.raises(SendError) as caught:
        channel.send(Outgoing("+358401234567", "x", "k"))
    assert not caught.value.permanent


def test_smtplib_is_not_left_open_after_close(smtp_server: SmtpServer) -> None:
    channel = EmailChannel(smtp(smtp_server))
    channel.send(email())
    connection = channel._smtp
    channel.close()
    channel.close()  # idempotent
    assert channel._smtp is None
    with pytest.raises(smtplib.SMTPServerDisconnected):
        connection.noop()  # type: ignore[union-attr]
