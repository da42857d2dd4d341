"""Reminder rules and SMS quiet hours (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from notifications.rules import (
    ReminderRule,
    parse_rules,
    plan_reminders,
    quiet_hours,
    reminder_due,
    sms_send_time,
)
from scheduler.kernel import HELSINKI

QUIET = (21, 8)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HELSINKI).astimezone(UTC)


DAY = date(2026, 11, 24)
NOW = local(DAY - timedelta(days=7), 12)


def test_default_rules_are_sms_and_email_a_day_before() -> None:
    assert parse_rules(None) == [ReminderRule("sms", 1440), ReminderRule("email", 1440)]


@pytest.mark.parametrize(
    "raw",
    [
        [{"channel": "fax", "before_min": 60}],
        [{"channel": "sms", "before_min": -5}],
        [{"channel": "sms"}],
    ],
)
def test_invalid_rules_are_refused(raw: list[dict[str, object]]) -> None:
    with pytest.raises(ValueError, match="invalid reminder rule"):
        parse_rules(raw)


def test_reminder_sms_in_the_quiet_hours_goes_the_evening_before() -> None:
    # A 7.30 meeting: 24 h before is 7.30, inside the quiet hours.
    due = reminder_due("sms", 1440, local(DAY, 7, 30), NOW, HELSINKI, QUIET)
    assert due == local(DAY - timedelta(days=2), 20)


def test_reminder_email_ignores_quiet_hours() -> None:
    due = reminder_due("email", 1440, local(DAY, 7, 30), NOW, HELSINKI, QUIET)
    assert due == local(DAY - timedelta(days=1), 7, 30)


def test_reminder_sms_after_the_evening_waits_for_the_morning_if_still_before_meeting() -> None:
    # Booked at 22.00 for 9.00 next morning with a 2 h reminder (7.00, quiet): the
    # evening has passed, 8.00 is still before the meeting.
    now = local(DAY - timedelta(days=1), 22)
    due = reminder_due("sms", 120, local(DAY, 9), now, HELSINKI, QUIET)
    assert due == local(DAY, 8)


def test_reminder_sms_that_cannot_come_before_the_meeting_is_dropped() -> None:
    now = local(DAY - timedelta(days=1), 22)
    assert reminder_due("sms", 60, local(DAY, 7, 30), now, HELSINKI, QUIET) is None


def test_reminders_already_past_are_not_planned() -> None:
    start = NOW + timedelta(hours=5)
    planned = plan_reminders(parse_rules(None), start, NOW, HELSINKI, QUIET)
    assert planned == []


def test_other_sms_wait_for_the_end_of_quiet_hours() -> None:
    assert sms_send_time(local(DAY, 23, 10), HELSINKI, QUIET) == local(DAY + timedelta(days=1), 8)
    assert sms_send_time(local(DAY, 3), HELSINKI, QUIET) == local(DAY, 8)
    assert sms_send_time(local(DAY, 12), HELSINKI, QUIET) == local(DAY, 12)


def test_quiet_hours_follow_local_time_across_dst() -> None:
    # The night of 29 March 2026 (clocks go forward): 8.00 local is 5.00 UTC after it.
    night = local(date(2026, 3, 29), 2, 30)
    assert sms_send_time(night, HELSINKI, QUIET) == datetime(2026, 3, 29, 5, tzinfo=UTC)


def test_organisation_may_set_its_own_quiet_hours() -> None:
    assert quiet_hours({"sms_quiet_hours": [22, 7]}) == (22, 7)
    assert quiet_hours({"sms_quiet_hours": "nonsense"}) == QUIET
    assert quiet_hours(None) == QUIET
