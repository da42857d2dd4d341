"""Texts of the family pages that depend on data: needs, languages, meeting modes and the
messages of refused actions (the operations speak English; families read their own language)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from babel import Locale
from flask import flash
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from scheduler.kernel import Problem

T = TypeVar("T")

# The needs that group the service tray, in the order families see them.
CATEGORIES: dict[str, LazyString] = {
    "advice": _l("Advice and guidance"),
    "family": _l("Agreements about children"),
    "children": _l("Support for children and families"),
    "adults": _l("Support for adults"),
    "disability": _l("Disability services"),
}
OTHER_CATEGORY = _l("Other services")

MEETING_MODES: dict[str, LazyString] = {
    "video": _l("Video call"),
    "phone": _l("Phone call"),
}

# Messages of the errors a family can run into, by their machine code.
PROBLEMS: dict[str, LazyString] = {
    "slot_taken": _l("This time was just booked by someone else. Please choose another time."),
    "too_soon": _l("That time is too soon to book. Please choose a later time."),
    "too_far": _l("That time is too far ahead to book. Please choose an earlier time."),
    "not_bookable": _l("This service cannot be booked online."),
    "invalid_mode": _l("This service is not met that way."),
    "no_professional": _l("No such worker offers this service."),
    "times_withheld": _l("This worker's times are not available right now."),
    "team_incomplete": _l(
        "This service needs several workers together, and one of them cannot be found now."
    ),
    "hold_not_found": _l("This reservation was not found. Please choose a time again."),
    "hold_expired": _l("The reservation of this time ran out. Please choose a time again."),
    "identification_required": _l("This service needs strong identification before booking."),
    "identification_failed": _l("The identification did not succeed. Please try again."),
    "identification_unavailable": _l(
        "Strong identification is not available right now, so this service cannot be booked online."
    ),
    "link_not_found": _l("This link is not valid. Check that it was copied whole."),
    "link_expired": _l("This appointment is over, so the link no longer works."),
    "not_changeable": _l("This booking is already cancelled or closed."),
    "already_started": _l("This appointment has already started."),
    "not_found": _l("The page was not found. Check the address."),
    "organisation_not_found": _l("The page was not found. Check the address."),
    "service_not_found": _l("The page was not found. Check the address."),
    "method_not_allowed": _l("The page was not found. Check the address."),
    "bad_request": _l("The form could not be sent. Please go back, reload the page and try again."),
    "too_many_requests": _l(
        "Too many attempts in a short time. Please wait a minute and try again."
    ),
    "conflict": _l("The change conflicts with another one. Please try again."),
    "unavailable": _l("The service is briefly unavailable. Please try again in a moment."),
    "invalid_input": _l("Some answers need to be checked."),
    "invalid_phone": _l("The phone number is not valid."),
    "same_contact_as_first": _l(
        "The other parent needs contact details of their own: these are yours."
    ),
    "second_client_not_allowed": _l("This service is booked for one client only."),
    "second_client_exists": _l("The other parent is already taking part."),
    "cancel_by_phone": _l("Appointments of this service are cancelled by phone, not online."),
    "name_required": _l("Write the name."),
    "contact_required": _l("Give an e-mail address or a phone number, or both."),
    "room_full": _l("The video meeting already has as many people as it can take."),
}


def problem_text(code: str, message: str) -> str:
    """The family's-language message of an error, or a general one for unknown codes."""
    if code in PROBLEMS:
        return str(PROBLEMS[code])
    return gettext("Something went wrong. Please try again in a moment.")


@dataclass(frozen=True)
class Done(Generic[T]):
    """A change that was made, with what it returned."""

    value: T


def attempt(change: Callable[[], T]) -> Done[T] | None:
    """Make a change the family asked for on a page: ``Done`` with its outcome, or None
    when it was refused (a 4xx), the refusal then flashed in the family's language."""
    try:
        return Done(change())
    except Problem as exc:
        if exc.status >= 500:
            raise
        flash(problem_text(exc.code, exc.message), "error")
        return None


def category_name(category: str) -> str:
    return str(CATEGORIES.get(category, OTHER_CATEGORY))


def language_name(code: str, in_language: str) -> str:
    """The name of a language (also Sámi languages) in the page's language, from CLDR."""
    try:
        name = Locale.parse(in_language).languages.get(code)
    except (ValueError, TypeError):
        name = None
    return name or code
