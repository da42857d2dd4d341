"""A plain message context of the kind scheduler/booking/messages.py hands to the outbox."""

from __future__ import annotations

from typing import Any


def message_context(**overrides: Any) -> dict[str, Any]:
    """A video appointment on Tuesday 24.11.2026 at 10.00; ``overrides`` replace fields."""
    context: dict[str, Any] = {
        "organisation_name": "Rovaniemi",
        "email_from": None,
        "client_name": "Maija",
        "service_name": "Perheneuvola",
        "sms_service": None,
        "professional_name": "Liisa",
        "meeting_mode": "video",
        "join_url": None,
        "manage_url": None,
        "public_url": "http://127.0.0.1:5000",
        "cancelled_by": None,
        "weekday": "tiistaina",
        "weekday_short": "ti",
        "date": "24.11.2026",
        "time": "klo 10.00",
        "time_range": "klo 10.00–10.45",
        "old_weekday": None,
        "old_weekday_short": None,
        "old_date": None,
        "old_time": None,
    }
    context.update(overrides)
    return context
