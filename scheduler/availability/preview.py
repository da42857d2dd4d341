"""The availability editor's preview: the free times that weekly hours, saved or not, give
a worker over the next weeks, with the worker's saved absences, openings, bookings and
calendar busy times."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from scheduler.availability import compute, loading
from scheduler.availability.coverage import RuleValue
from scheduler.kernel import local_date, now_utc
from scheduler.models import Professional


@dataclass(frozen=True)
class PreviewDay:
    day: date
    times: dict[int, list[datetime]]  # service id -> free starts


def preview(pro: Professional, rules: Sequence[RuleValue], weeks: int) -> list[PreviewDay]:
    """The free times that ``rules`` give over the next ``weeks``, per local day and service."""
    now = now_utc()
    end = now + timedelta(weeks=weeks)
    zone = pro.organisation.zone
    by_day: dict[date, dict[int, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for service in pro.services:
        (schedule,) = loading.load_schedules(service, [pro], now, end, now)
        edited = tuple(
            compute.WeeklyRule(r.weekday, r.start, r.end, r.valid_from, r.valid_to)
            for r in rules
            if not r.service_ids or service.id in r.service_ids
        )
        found = compute.free_slots(
            loading.service_params(service), [replace(schedule, rules=edited)], zone, now, now, end
        )
        for slot in found:
            by_day[local_date(slot.start, zone)][service.id].append(slot.start)
    return [PreviewDay(day, dict(by_day[day])) for day in sorted(by_day)]
