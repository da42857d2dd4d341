"""The availability editor's preview: the free times that weekly hours, saved or not, give
a worker over the next weeks, with the worker's saved absences, openings, bookings and
calendar busy times."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from scheduler.availability import compute
from scheduler.availability.coverage import RuleValue
from scheduler.availability.free import Ask, free_times
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
        edited = [
            compute.WeeklyRule(r.weekday, r.start, r.end, r.valid_from, r.valid_to)
            for r in rules
            if not r.service_ids or service.id in r.service_ids
        ]
        found = free_times(
            Ask(
                service.id,
                now,
                end,
                among=(pro.id,),
                now=now,
                fresh=True,
                weekly_rules={pro.id: edited},
            )
        )
        for slot in found.slots() if found is not None else ():
            by_day[local_date(slot.start, zone)][service.id].append(slot.start)
    return [PreviewDay(day, dict(by_day[day])) for day in sorted(by_day)]
