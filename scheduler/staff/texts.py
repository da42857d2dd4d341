"""Shared words of the staff pages: languages, roles, statuses, weekdays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext

from scheduler.kernel import as_utc
from scheduler.web.i18n import format_date, format_datetime, format_time_range, localized

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


def whole_days(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[date, date] | None:
    """The first and last local day of a span that begins and ends at local midnight (an
    absence of whole days), else None."""
    first, after = as_utc(start).astimezone(zone), as_utc(end).astimezone(zone)
    if first.time() != time(0) or after.time() != time(0) or not first < after:
        return None
    return first.date(), after.date() - timedelta(days=1)


def span_text(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """An absence in words: "10.12.2026 (whole day)", "10.12.2026–12.12.2026 (3 days)",
    "10.12.2026 klo 8.00–12.00", or both ends in full when it runs over midnight."""
    days = whole_days(start, end, zone)
    if days is not None:
        first, last = days
        if first == last:
            return _("%(day)s (whole day)", day=format_date(first))
        count = (last - first).days + 1
        return ngettext(
            "%(first)s–%(last)s (%(num)d day)",
            "%(first)s–%(last)s (%(num)d days)",
            count,
            first=format_date(first),
            last=format_date(last),
        )
    local_start, local_end = as_utc(start).astimezone(zone), as_utc(end).astimezone(zone)
    if local_start.date() == local_end.date():
        return f"{format_date(start, zone=zone)} {format_time_range(start, end, zone=zone)}"
    return f"{format_datetime(start, zone=zone)} – {format_datetime(end, zone=zone)}"
