"""Shared words of the staff pages: languages, roles, statuses, weekdays."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from scheduler.web.i18n import localized

LANGUAGES = {
    "fi": lazy_gettext("Finnish"),
    "sv": lazy_gettext("Swedish"),
    "en": lazy_gettext("English"),
    "se": lazy_gettext("North Sámi"),
    "smn": lazy_gettext("Inari Sámi"),
    "sms": lazy_gettext("Skolt Sámi"),
    "ru": lazy_gettext("Russian"),
    "et": lazy_gettext("Estonian"),
    "ar": lazy_gettext("Arabic"),
    "so": lazy_gettext("Somali"),
    "uk": lazy_gettext("Ukrainian"),
}
ROLES = {
    "worker": lazy_gettext("Worker"),
    "unit_admin": lazy_gettext("Unit administrator"),
    "org_admin": lazy_gettext("Organisation administrator"),
}
STATUSES = {
    "held": lazy_gettext("Being booked"),
    "confirmed": lazy_gettext("Booked"),
    "cancelled": lazy_gettext("Cancelled"),
    "completed": lazy_gettext("Held"),
    "no_show": lazy_gettext("Did not come"),
    "expired": lazy_gettext("Expired"),
}
MODES = {"video": lazy_gettext("Video"), "phone": lazy_gettext("Phone")}
WEEKDAYS = [
    lazy_gettext("Monday"),
    lazy_gettext("Tuesday"),
    lazy_gettext("Wednesday"),
    lazy_gettext("Thursday"),
    lazy_gettext("Friday"),
    lazy_gettext("Saturday"),
    lazy_gettext("Sunday"),
]
IDENTITY_CHECKS = {
    "id_card": lazy_gettext("Identity card"),
    "passport": lazy_gettext("Passport"),
    "driving_licence": lazy_gettext("Driving licence"),
    "residence_permit": lazy_gettext("Residence permit card"),
    "known": lazy_gettext("The client is known to me"),
}
PARTICIPANT_ROLES = {
    "client": lazy_gettext("the other parent"),
    "interpreter": lazy_gettext("interpreter"),
    "professional": lazy_gettext("worker"),
    "guest": lazy_gettext("guest"),
}
ATTENDANCE = {
    "invited": lazy_gettext("not answered yet"),
    "confirmed": lazy_gettext("will take part"),
    "declined": lazy_gettext("will not take part"),
}
CHANNELS = {"sms": lazy_gettext("Text message"), "email": lazy_gettext("E-mail")}


def language_name(code: str | None) -> str:
    if not code:
        return ""
    return str(LANGUAGES.get(code, code))


def answer_text(question: dict[str, Any] | None, value: Any, lang: str) -> str:
    """An intake answer in words: the chosen option's label, yes or no, or the text itself."""
    if question is not None and question.get("kind") == "choice":
        for option in question.get("options", []):
            if option.get("value") == value:
                return localized(option.get("label"), lang) or str(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)
