"""Settings of the notifications, read from ``app.config`` (``ETAAIKA_*`` variables).

| key | meaning | default |
|---|---|---|
| SMTP_HOST | SMTP server; unset means e-mails go to the log | unset |
| SMTP_PORT | port | 587 (starttls), 465 (ssl), 25 (none) |
| SMTP_SECURITY | ``starttls``, ``ssl`` or ``none`` | ``starttls`` |
| SMTP_USER / SMTP_PASSWORD | SMTP AUTH credentials, when the server wants them | unset |
| SMTP_CA_FILE | CA bundle to verify the server's certificate (else the system's) | unset |
| SMTP_TIMEOUT | seconds | 30 |
| MAIL_FROM | sender when the organisation has no ``email_from`` | ``etaaika@localhost`` |
| SMS_GATEWAY_URL | HTTP gateway for SMS; unset means SMS go to the log | unset |
| SMS_USER / SMS_PASSWORD | HTTP basic auth credentials of the gateway | unset |
| SMS_SENDER | sender name or number shown to the recipient | ``Etaaika`` |
| SMS_TIMEOUT | seconds | 15 |
| NOTIFY_BATCH | rows claimed at once | 100 |
| NOTIFY_MAX_ATTEMPTS | attempts before a message is marked failed | 8 |
| NOTIFY_RETRY_SECONDS | first retry delay; doubles with each attempt (capped at 6 h) | 60 |
| NOTIFY_LEASE_SECONDS | how long a claim holds; then a dead dispatcher's rows are due again | 300 |
| NOTIFY_RUN_SECONDS | longest single run of the dispatch job before it yields | 50 |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    ca_file: str | None
    timeout: float
    default_from: str


@dataclass(frozen=True)
class SmsSettings:
    url: str
    user: str | None
    password: str | None
    sender: str
    timeout: float


@dataclass(frozen=True)
class DispatchSettings:
    batch: int
    max_attempts: int
    retry_seconds: float
    lease_seconds: float
    run_seconds: float


def smtp_settings(config: Mapping[str, Any]) -> SmtpSettings | None:
    """The SMTP settings, or None when no server is configured (development)."""
    host = config.get("SMTP_HOST")
    if not host:
        return None
    security = str(config.get("SMTP_SECURITY") or "starttls").lower()
    if security not in _DEFAULT_PORTS:
        raise ValueError(f"ETAAIKA_SMTP_SECURITY must be starttls, ssl or none, not {security!r}")
    return SmtpSettings(
        host=str(host),
        port=int(config.get("SMTP_PORT") or _DEFAULT_PORTS[security]),
        security=security,
        user=config.get("SMTP_USER") or None,
        password=config.get("SMTP_PASSWORD") or None,
        ca_file=config.get("SMTP_CA_FILE") or None,
        timeout=float(config.get("SMTP_TIMEOUT") or 30),
        default_from=str(config.get("MAIL_FROM") or "etaaika@localhost"),
    )


def sms_settings(config: Mapping[str, Any]) -> SmsSettings | None:
    """The SMS gateway settings, or None when no gateway is configured (development)."""
    url = config.get("SMS_GATEWAY_URL")
    if not url:
        return None
    return SmsSettings(
        url=str(url),
        user=config.get("SMS_USER") or None,
        password=config.get("SMS_PASSWORD") or None,
        sender=str(config.get("SMS_SENDER") or "Etaaika"),
        timeout=float(config.get("SMS_TIMEOUT") or 15),
    )


def dispatch_settings(config: Mapping[str, Any]) -> DispatchSettings:
    """Batch size, retry policy and lease of the dispatcher."""
    return DispatchSettings(
        batch=int(config.get("NOTIFY_BATCH") or 100),
        max_attempts=int(config.get("NOTIFY_MAX_ATTEMPTS") or 8),
        retry_seconds=float(config.get("NOTIFY_RETRY_SECONDS") or 60),
        lease_seconds=float(config.get("NOTIFY_LEASE_SECONDS") or 300),
        run_seconds=float(config.get("NOTIFY_RUN_SECONDS") or 50),
    )
