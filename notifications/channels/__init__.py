"""Channels behind one interface: e-mail (SMTP), SMS (HTTP gateway) and the log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notifications.channels.base import Channel, Outgoing, SendError
from notifications.channels.email import EmailChannel
from notifications.channels.log import LogChannel
from notifications.channels.sms import SmsHttpChannel
from notifications.config import sms_settings, smtp_settings

__all__ = [
    "Channel",
    "EmailChannel",
    "LogChannel",
    "Outgoing",
    "SendError",
    "SmsHttpChannel",
    "build_channels",
]


def build_channels(config: Mapping[str, Any]) -> dict[str, Channel]:
    """One channel per kind from the configuration; the log stands in for what is unset."""
    smtp = smtp_settings(config)
    sms = sms_settings(config)
    return {
        "email": EmailChannel(smtp) if smtp else LogChannel("email"),
        "sms": SmsHttpChannel(sms) if sms else LogChannel("sms"),
    }
