"""The access log as a client reads it (Act 703/2023): headings, actions, roles and
results in plain words of the client's language, times as local d.M.yyyy klo 9.15."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scheduler.staff.texts import ROLES
from scheduler.web.i18n import format_datetime

HEADINGS = (
    _l("Time"),
    _l("Who"),
    _l("In what role"),
    _l("What was done"),
    _l("To what"),
    _l("From where"),
    _l("Result"),
)
ACTIONS = {
    "booking.read": _l("Viewed the booking's details"),
    "agenda.read": _l("Saw the booking in a worker's agenda"),
    "booking.create": _l("Made the booking"),
    "booking.identify": _l("Recorded the strong identification"),
    "booking.cancel": _l("Cancelled the booking"),
    "booking.reschedule": _l("Moved the booking"),
    "booking.outcome": _l("Marked the meeting held or missed"),
    "booking.personal_data_removed": _l("Removed the personal data after the retention period"),
    "access_log.export": _l("Exported this access log"),
    "outbox.failed.read": _l("Viewed a message that could not be delivered"),
    "feedback.comments.read": _l("Viewed feedback comments"),
    "booking.client_left": _l("Recorded that the client will not take part"),
    "booking.client_rejoined": _l("Recorded that the client will take part after all"),
    "participant.add": _l("Added a participant to the booking"),
    "participant.remove": _l("Took a participant out of the booking"),
    "participant.read": _l("Viewed a participant's details"),
    "participant.view": _l("The participant opened their own page"),
    "participant.confirmed": _l("The participant said they will take part"),
    "participant.declined": _l("The participant said they will not take part"),
    "interpreter_request.read": _l("Saw the family's request for an interpreter"),
    "interpreter_request.flag": _l(
        "Told the worker that the interpreter request was still open close to the meeting"
    ),
    "participant.personal_data_removed": _l(
        "Removed a participant's personal data after the retention period"
    ),
}
OTHER_ROLES = {
    "client": _l("The client"),
    "system": _l("The service itself"),
    "public": _l("Anyone"),
}
RESULTS = {"ok": _l("Allowed"), "denied": _l("Refused")}


def headings(lang: str) -> list[str]:
    with force_locale(lang):
        return [str(h) for h in HEADINGS]


def readable_row(
    lang: str,
    zone: ZoneInfo,
    at: datetime,
    actor: str,
    role: str,
    action: str,
    target: str,
    source: str,
    result: str,
) -> list[str]:
    """One row of the log in plain words; an unknown code is shown as it is."""
    with force_locale(lang):
        kind, _sep, number = target.partition(":")
        return [
            format_datetime(at, lang, zone),
            actor,
            str(ROLES.get(role) or OTHER_ROLES.get(role) or role),
            str(ACTIONS.get(action, action)),
            _target(kind, number) or target,
            source,
            str(RESULTS.get(result, result)),
        ]


def _target(kind: str, number: str) -> str | None:
    if not number:
        return None
    if kind == "booking":
        return _("Booking %(number)s", number=number)
    if kind == "participant":
        return _("Participation %(number)s", number=number)
    return None
