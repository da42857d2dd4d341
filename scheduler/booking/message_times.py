"""A meeting time as the messages name it, in the recipient's language and zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_date

from scheduler.kernel import as_utc
from scheduler.web.i18n import format_date, format_time, format_time_range


@dataclass(frozen=True)
class When:
    """A meeting time as the messages name it, in the recipient's language."""

    weekday: str
    weekday_short: str
    date: str
    time: str
    time_range: str


def when_of(start: datetime, end: datetime, lang: str, zone: ZoneInfo) -> When:
    local_day = as_utc(start).astimezone(zone).date()
    time = format_time(start, lang, zone)
    return When(
        weekday=babel_date(local_day, "EEEE", locale=lang),
        weekday_short=babel_date(local_day, "EEE", locale=lang),
        date=format_date(start, lang, zone),
        time=time,
        time_range=format_time_range(start, end, lang, zone),
    )


def old_when(old_start: datetime | None, lang: str, zone: ZoneInfo) -> dict[str, str | None]:
    """The earlier time of a moved booking (``old_date`` …); all None otherwise."""
    if old_start is None:
        return dict.fromkeys(("old_weekday", "old_weekday_short", "old_date", "old_time"))
    old = when_of(old_start, old_start, lang, zone)
    return {
        "old_weekday": old.weekday,
        "old_weekday_short": old.weekday_short,
        "old_date": old.date,
        "old_time": old.time,
    }


def listed_time(start: datetime, lang: str, zone: ZoneInfo) -> str:
    """A meeting as a list of meetings names it: "ti 8.12.2026 klo 9.15" (sv "tis 8.12.2026
    kl. 9.15", en "Tue 8.12.2026 9:15")."""
    local_day = as_utc(start).astimezone(zone).date()
    return (
        f"{babel_date(local_day, 'EEE', locale=lang)} "
        f"{format_date(start, lang, zone)} {format_time(start, lang, zone)}"
    )
