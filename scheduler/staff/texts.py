"""Shared words of the staff pages: languages, roles, statuses, weekdays."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

LANGUAGES = {
    "fi": _l("Finnish"),
    "sv": _l("Swedish"),
    "en": _l("English"),
    "se": _l("North Sámi"),
    "smn": _l("Inari Sámi"),
    "sms": _l("Skolt Sámi"),
    "ru": _l("Russian"),
    "et": _l("Estonian"),
    "ar": _l("Arabic"),
    "so": _l("Somali"),
    "uk": _l("Ukrainian"),
}
ROLES = {
    "worker": _l("Worker"),
    "unit_admin": _l("Unit administrator"),
    "org_admin": _l("Organisation administrator"),
}
STATUSES = {
    "held": _l("Being booked"),
    "confirmed": _l("Booked"),
    "cancelled": _l("Cancelled"),
    "completed": _l("Held"),
    "no_show": _l("Did not come"),
    "expired": _l("Expired"),
}
MODES = {"video": _l("Video"), "phone": _l("Phone")}
WEEKDAYS = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]
CHANNELS = {"sms": _l("Text message"), "email": _l("E-mail")}


def language_name(code: str | None) -> str:
    if not code:
        return ""
    return str(LANGUAGES.get(code, code))


def answer_text(question: dict[str, Any] | None, value: Any, lang: str) -> str:
    """An intake answer in words: the chosen option's label, yes or no, or the text itself."""
    from scheduler.i18n import localized

    if question is not None and question.get("kind") == "choice":
        for option in question.get("options", []):
            if option.get("value") == value:
                return localized(option.get("label"), lang) or str(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)
