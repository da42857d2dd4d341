"""Reading what a client typed or sent: ids, whole numbers, dates, instants and JSON.

Every view reads these values through the functions here, so that nothing a client sends
can make a view fail with a 500:

- ``str.isdigit()`` takes ``²`` and ``int()`` then refuses it; ``int()`` takes Arabic-Indic
  digits and refuses a 5,000-digit string. Ids and numbers here are ASCII digits only, and
  an id is at most 2³¹−1 (the database's ``integer``).
- ``date.fromisoformat`` takes 9999-12-31, and the day after it, or its local midnight in
  UTC, overflows. Dates and instants here lie between 1.1.1900 and 31.12.2999.
- ``json.loads`` raises ``RecursionError`` on a body nested about a thousand levels deep;
  the application's JSON reader turns that into the ordinary "not JSON" answer.

- A NUL character is refused before any view runs (``refuse_nul``): PostgreSQL cannot store
  one in text, and its refusal would otherwise look like an outage.

The readers return ``None`` for a value that is not what was asked for; the caller decides
what the client is told.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from flask import request
from flask.json.provider import DefaultJSONProvider

from scheduler.kernel import Problem

MAX_ID = 2**31 - 1
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
_FIRST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
_LAST_INSTANT = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
_ID = re.compile(r"[0-9]{1,10}")
_WHOLE = re.compile(r"-?[0-9]{1,15}")
_CLOCK = re.compile(r"([0-9]{1,2})(?:[.:]([0-9]{2}))?")
NUL = "\x00"


def parse_id(raw: str | None) -> int | None:
    """A database id (ASCII digits, 1 … 2³¹−1), or None."""
    if raw is None or not _ID.fullmatch(raw := raw.strip()):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def parse_ids(values: list[str]) -> list[int] | None:
    """Every value as an id, or None when any of them is not one."""
    ids = [parse_id(v) for v in values if v.strip()]
    return None if None in ids else [i for i in ids if i is not None]


def parse_whole(raw: str | None) -> int | None:
    """A whole number of at most 15 ASCII digits (an optional minus sign), or None."""
    if raw is None or not _WHOLE.fullmatch(raw := raw.strip()):
        return None
    return int(raw)


def parse_clock(raw: str | None) -> time | None:
    """A wall-clock time as Finns write it ("9", "9.15", "09:15", "0.00"), or None."""
    match = _CLOCK.fullmatch((raw or "").strip())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def day_in_range(value: date) -> bool:
    """Whether a date lies where every computation around it stays within the calendar."""
    return FIRST_DAY <= value <= LAST_DAY


def parse_day(raw: str | None) -> date | None:
    """An ISO date (2027-03-28) between 1.1.1900 and 31.12.2999, or None."""
    try:
        value = date.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return value if day_in_range(value) else None


def instant_in_utc(value: datetime) -> datetime | None:
    """An aware datetime as a UTC instant between 1900 and 2999, or None (naive ones too)."""
    if value.tzinfo is None or value.utcoffset() is None:
        return None
    try:
        instant = value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
        return None
    return instant if _FIRST_INSTANT <= instant <= _LAST_INSTANT else None


def parse_instant(raw: str | None) -> datetime | None:
    """An ISO date and time with its offset (2027-03-28T09:00:00+03:00) in UTC, or None."""
    try:
        value = datetime.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return instant_in_utc(value)


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deep is "not JSON" (a 400), not a 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("the JSON is nested too deep") from exc


def _json_has_nul(value: Any) -> bool:
    """Whether a parsed JSON value holds a NUL in any key or string (walked without
    recursion: the depth is the client's choice)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _has_nul() -> bool:
    if NUL in request.path:
        return True
    if any(NUL in k or NUL in v for k, v in request.args.items(multi=True)):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.is_json:
        return _json_has_nul(request.get_json(silent=True))
    return any(NUL in k or NUL in v for k, v in request.form.items(multi=True))


def refuse_nul() -> None:
    """Before every view: a NUL character anywhere in the path, query, form or JSON body is
    a 400. No form or API field takes one, and the database would refuse it later."""
    if _has_nul():
        raise Problem(
            400, "bad_request", "The request contains a NUL character, which no field takes."
        )


def parse_date(raw: str | None) -> date | None:
    """A date as typed in a form: ISO (2026-11-22, the date input) or Finnish (22.11.2026);
    None when not a date (or outside 1.1.1900–31.12.2999)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if "." not in raw:
        return parse_day(raw)
    parts = [parse_whole(p) for p in raw.split(".")]
    if len(parts) != 3 or None in parts:
        return None
    day, month, year = parts
    try:
        value = date(year, month, day)  # type: ignore[arg-type]
    except ValueError:
        return None
    return value if day_in_range(value) else None
