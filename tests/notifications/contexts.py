"""A family's message context of the kind scheduler/booking/messages.py hands to the outbox."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from notifications import FamilyNotice

MESSAGE_CONTEXT = FamilyNotice(
    organisation_name="Rovaniemi",
    email_from=None,
    client_name="Maija",
    service_name="Perheneuvola",
    sms_service=None,
    professional_name="Liisa",
    meeting_mode="video",
    join_url=None,
    public_url="http://127.0.0.1:5000",
    cancelled_by=None,
    weekday="tiistaina",
    weekday_short="ti",
    date="24.11.2026",
    time="klo 10.00",
    time_range="klo 10.00–10.45",
)


def message_context(**overrides: Any) -> FamilyNotice:
    """A video appointment on Tuesday 24.11.2026 at 10.00; ``overrides`` replace fields."""
    return replace(MESSAGE_CONTEXT, **overrides)
