"""Periods the administrator chooses, their steps (day, week or month), and the figures
of one service or unit summed or averaged over a step.

* Counts (bookings, cancellations, meetings, feedback) are summed over the days whose
  activity has been counted.
* T3, free and booked times are averaged over the days on which they were measured. A
  measured day without a third free time within the booking horizon cannot be averaged;
  such days are counted in ``t3_missing`` and shown next to the average.
* The feedback average is the sum of the ratings divided by their number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from scheduler.figures.activity import COUNTS
from scheduler.models import FigureSnapshot
from scheduler.web.input import parse_day

MAX_DAYS = 366
DEFAULT_DAYS = 28


@dataclass(frozen=True)
class Period:
    """Local dates ``start`` … ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def step(self) -> str:
        """Daily points for a month, weekly for half a year, monthly for longer."""
        if self.days <= 31:
            return "day"
        if self.days <= 190:
            return "week"
        return "month"


@dataclass(frozen=True)
class Step:
    """One point of a chart: local dates ``start`` … ``end`` within the period."""

    start: date
    end: date


def default_period(today: date) -> Period:
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def parse_period(args: Mapping[str, str], today: date) -> tuple[Period, dict[str, str]]:
    """The period of ``?start=YYYY-MM-DD&end=YYYY-MM-DD``; problems by field name (the
    texts are filled in by the view). Falls back to the default period on errors."""
    default = default_period(today)
    errors: dict[str, str] = {}
    values = {}
    for name, fallback in (("start", default.start), ("end", default.end)):
        raw = (args.get(name) or "").strip()
        if not raw:
            values[name] = fallback
            continue
        day = parse_day(raw)
        if day is None:
            errors[name] = "invalid_date"
            day = fallback
        values[name] = day
    if errors:
        return default, errors
    period = Period(values["start"], values["end"])
    if period.end < period.start:
        return default, {"end": "end_before_start"}
    if period.days > MAX_DAYS:
        return default, {"start": "too_long"}
    return period, {}


def steps(period: Period) -> list[Step]:
    """The period cut into its steps; the first and last may be partial."""
    found = []
    day = period.start
    while day <= period.end:
        if period.step == "day":
            last = day
        elif period.step == "week":
            last = day + timedelta(days=6 - day.weekday())
        else:
            following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
            last = following - timedelta(days=1)
        last = min(last, period.end)
        found.append(Step(day, last))
        day = last + timedelta(days=1)
    return found


@dataclass(frozen=True)
class Summary:
    """The figures of one service or unit over one step or period."""

    t3_days: float | None = None
    t3_missing: int = 0
    free_times: float | None = None
    booked_times: float | None = None
    bookings: int | None = None
    cancelled_by_client: int | None = None
    cancelled_by_staff: int | None = None
    cancelled_by_system: int | None = None
    held: int | None = None
    no_shows: int | None = None
    unmarked: int | None = None
    video: int | None = None
    phone: int | None = None
    feedback_count: int | None = None
    feedback_average: float | None = None

    @property
    def cancellations(self) -> int | None:
        parts = (self.cancelled_by_client, self.cancelled_by_staff, self.cancelled_by_system)
        return None if self.cancelled_by_client is None else sum(p or 0 for p in parts)


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def summarise(rows: Sequence[FigureSnapshot]) -> Summary:
    """Sum and average the snapshot rows of one subject."""
    measured = [r for r in rows if r.measured_at is not None]
    counted = [r for r in rows if r.activity_at is not None]
    t3 = [r.t3_days for r in measured if r.t3_days is not None]
    values: dict[str, Any] = {
        "t3_days": _mean(t3),
        "t3_missing": len(measured) - len(t3),
        "free_times": _mean([r.free_times or 0 for r in measured]),
        "booked_times": _mean([r.booked_times or 0 for r in measured]),
    }
    if counted:
        for name in COUNTS:
            values[name] = sum(getattr(r, name) or 0 for r in counted)
        ratings = sum(r.feedback_sum or 0 for r in counted)
        count = values["feedback_count"]
        values["feedback_average"] = round(ratings / count, 2) if count else None
    return Summary(**values)
