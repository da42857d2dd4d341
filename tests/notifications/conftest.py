"""Fixtures of the notification tests: real SMTP and SMS gateway servers on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

import notifications  # noqa: F401  (registers the outbox model before the schema is built)
from tests.notifications.servers import (
    SmsGateway,
    SmtpServer,
    self_signed_certificate,
    start_smtp,
)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server (no TLS, no AUTH) that keeps every message it receives."""
    server = start_smtp()
    yield server
    server.stop()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path)


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway()
    yield gateway
    gateway.stop()


def use_smtp(app: Flask, server: SmtpServer, security: str = "none", **extra: object) -> None:
    """Point the app's e-mail channel at ``server``."""
    app.config.update(
        SMTP_HOST=server.host,
        SMTP_PORT=server.port,
        SMTP_SECURITY=security,
        MAIL_FROM="Etäaika <noreply@etaaika.test>",
        **extra,
    )


def use_sms(app: Flask, gateway: SmsGateway) -> None:
    app.config.update(
        SMS_GATEWAY_URL=gateway.url,
        SMS_USER="etaaika",
        SMS_PASSWORD="gateway-secret",
        SMS_SENDER="Perhekeskus",
    )
