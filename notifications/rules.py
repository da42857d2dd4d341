"""When messages go out: reminder rules and quiet hours for SMS. Pure functions.

Quiet hours: no SMS leaves between 21.00 and 8.00 local time (an organisation may
set other hours with ``settings["sms_quiet_hours"] = [start_hour, end_hour]``).

- A *reminder* SMS that would fall in the quiet hours is sent earlier instead, at
  20.00 on the evening the quiet hours begin, so that it still comes well before the
  meeting. If that moment has already passed, it waits for the end of the quiet hours
  when that is still before the meeting, and is dropped otherwise.
- Any other SMS (confirmation, change, cancellation) waits for the end of the quiet
  hours (8.00). E-mail is never held back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

QUIET_HOURS = (21, 8)
# Reminders moved out of the quiet hours go this long before the quiet hours begin.
EVENING_MARGIN = timedelta(hours=1)
DEFAULT_REMINDER_RULES: tuple[dict[str, Any], ...] = (
    {"channel": "sms", "before_min": 24 * 60},
    {"channel": "email", "before_min": 24 * 60},
)
CHANNELS = ("email", "sms")


@dataclass(frozen=True)
class ReminderRule:
    channel: str
    before_min: int


@dataclass(frozen=True)
class PlannedReminder:
    channel: str
    before_min: int
    due_at: datetime


def parse_rules(raw: Sequence[Mapping[str, Any]] | None) -> list[ReminderRule]:
    """A service's reminder rules; ``None`` means the default (SMS and e-mail 24 h before).

    Raises ValueError for a rule that names an unknown channel or a negative time.
    """
    rules = []
    for entry in DEFAULT_REMINDER_RULES if raw is None else raw:
        channel, before = entry.get("channel"), entry.get("before_min")
        if channel not in CHANNELS or not isinstance(before, int) or before <= 0:
            raise ValueError(f"invalid reminder rule {dict(entry)!r}")
        rules.append(ReminderRule(str(channel), before))
    return list(dict.fromkeys(rules))  # drop repeats, keep order


def quiet_hours(settings: Mapping[str, Any] | None) -> tuple[int, int]:
    """The organisation's SMS quiet hours as (start hour, end hour), local time."""
    value = (settings or {}).get("sms_quiet_hours")
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(h, int) and 0 <= h <= 23 for h in value)
    ):
        return int(value[0]), int(value[1])
    return QUIET_HOURS


def _at(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def quiet_window(
    instant: datetime, zone: ZoneInfo, quiet: tuple[int, int]
) -> tuple[datetime, datetime] | None:
    """The quiet period (start, end) that ``instant`` falls in, or None outside quiet hours."""
    start_h, end_h = quiet
    if start_h == end_h:
        return None
    local = instant.astimezone(zone)
    day, hour = local.date(), local.hour
    if start_h < end_h:  # a window inside one day, e.g. 12–13
        if start_h <= hour < end_h:
            return _at(day, start_h, zone), _at(day, end_h, zone)
        return None
    if hour >= start_h:
        return _at(day, start_h, zone), _at(day + timedelta(days=1), end_h, zone)
    if hour < end_h:
        return _at(day - timedelta(days=1), start_h, zone), _at(day, end_h, zone)
    return None


def sms_send_time(due: datetime, zone: ZoneInfo, quiet: tuple[int, int]) -> datetime:
    """When a non-reminder SMS due at ``due`` may go: at once, or when the quiet hours end."""
    window = quiet_window(due, zone, quiet)
    return due if window is None else window[1]


def reminder_due(
    channel: str,
    before_min: int,
    event_at: datetime,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[int, int],
) -> datetime | None:
    """When a reminder ``before_min`` before ``event_at`` goes out, or None if it is too late."""
    due = event_at - timedelta(minutes=before_min)
    if channel == "sms":
        window = quiet_window(due, zone, quiet)
        if window is not None:
            evening = window[0] - EVENING_MARGIN
            if evening > now:
                due = evening
            elif window[1] < event_at:
                due = window[1]
            else:
                return None
    if due <= now:
        return None
    return due


def plan_reminders(
    rules: Sequence[ReminderRule],
    event_at: datetime,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[int, int],
) -> list[PlannedReminder]:
    """The reminders still worth sending for a meeting at ``event_at``, with their times."""
    planned = []
    for rule in rules:
        due = reminder_due(rule.channel, rule.before_min, event_at, now, zone, quiet)
        if due is not None:
            planned.append(PlannedReminder(rule.channel, rule.before_min, due))
    return planned
