"""What the family's own booking form asks, read the same from the HTML form and the JSON
API: the name as the service asks it (``Service.name_rule``), the language of the meeting,
one of those the held time's worker speaks (Sámi languages too), and the language of the
messages, one the organisation offers families.

A worker booking for a family is not bound by these (``scheduler.booking.for_family``).
"""

from __future__ import annotations

from flask import current_app

from scheduler.kernel import Problem
from scheduler.models import Booking, Organisation, Service


def offered_languages(org: Organisation | None) -> list[str]:
    """The languages of pages and messages the organisation offers families (of those the
    service has; all of them when it names none)."""
    languages: list[str] = current_app.config["LANGUAGES"]
    offered = [code for code in languages if org is None or code in (org.languages or [])]
    return offered or languages


def message_language(org: Organisation, lang: str) -> str:
    """``lang`` when the organisation offers it to families; 422 otherwise (nothing changes)."""
    offered = offered_languages(org)
    if lang not in offered:
        raise Problem(
            422,
            "invalid_input",
            f"This organisation sends messages in: {', '.join(offered)}.",
            {"language": f"one of: {', '.join(offered)}"},
        )
    return lang


def meeting_languages(booking: Booking) -> list[str]:
    """The languages the meeting can be held in: those the held time's worker speaks."""
    return list(booking.professional.languages or []) or ["fi"]


def first_meeting_language(booking: Booking, lang: str) -> str:
    """The meeting's language chosen beforehand: the one asked of the worker in the week
    view (kept on the held time), else ``lang`` (the page's or the messages'), else the
    worker's first."""
    spoken = meeting_languages(booking)
    return next((c for c in (booking.language, lang) if c in spoken), spoken[0])


def chosen_meeting_language(booking: Booking, asked: str | None, lang: str) -> str:
    """The language of the meeting the family chose: ``asked`` when the worker speaks it,
    the one chosen beforehand when none is asked; 422 for a language the worker does not
    speak (nothing changes)."""
    if not asked:
        return first_meeting_language(booking, lang)
    spoken = meeting_languages(booking)
    if asked not in spoken:
        raise Problem(
            422,
            "invalid_input",
            "The worker of this time does not speak that language. "
            f"Choose one of: {', '.join(spoken)}.",
            {"meeting_language": f"one of: {', '.join(spoken)}"},
        )
    return asked


def family_name(service: Service, given: str | None) -> str:
    """The name as the service asks it: required (the default), a nickname that may be left
    out, or no name at all ("none": a name given is refused, never stored). 422 otherwise."""
    name = (given or "").strip()
    if service.name_rule == "none" and name:
        raise Problem(
            422,
            "invalid_input",
            "This service does not ask for a name: leave the name out.",
            {"client.name": "not asked by this service"},
        )
    if service.name_rule == "required" and not name:
        raise Problem(422, "invalid_input", "Give the name.", {"client.name": "required"})
    return name
