"""Free times of a service among chosen workers, served from the process's cache
(``cache``) where the schedules are unchanged, and the re-check of one time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from scheduler.availability import cache as slot_cache
from scheduler.availability import compute
from scheduler.availability import versions as schedule_versions
from scheduler.availability.loading import (
    load_worker_schedules,
    loader,
    rules_of,
    version_window,
)
from scheduler.models import (
    Professional,
    Service,
)
from scheduler.observability.metrics import timed_slot_search

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@timed_slot_search
def find_slots(
    service: Service,
    professionals: Sequence[Professional],
    range_start: datetime,
    range_end: datetime,
    now: datetime,
) -> list[compute.Slot]:
    """Free slots of ``service`` among ``professionals`` with a start in the range.

    Served from the process's cache of free times where the schedules are unchanged
    (``scheduler/availability/cache.py``); the same answer as computing them afresh.
    """
    rules = rules_of(service)
    first_day, last_day = version_window(rules, range_start, range_end)
    versions = schedule_versions.versions([p.id for p in professionals], first_day, last_day)
    by_worker, _valid = slot_cache.worker_starts(
        rules,
        versions,
        range_start,
        range_end,
        now,
        loader(rules),
    )
    low, high = slot_cache.visible_bounds(rules.params, range_start, range_end, now)
    starts, workers_at = slot_cache.merge(by_worker, low, high)
    duration = timedelta(minutes=rules.params.duration_min)
    found = []
    for start_us in starts:
        start = _EPOCH + timedelta(microseconds=start_us)
        found.append(compute.Slot(start, start + duration, tuple(workers_at[start_us])))
    return found


def is_free(
    service: Service,
    professional_id: int,
    start: datetime,
    now: datetime,
    exclude_booking_id: int | None = None,
    schedule_version: int | None = None,
) -> bool:
    """Whether the professional can take ``service`` at ``start`` by the rules of the search.

    ``schedule_version``, read under the professional's lock, lets the standing part of
    the schedule come from memory; bookings are always read afresh.
    """
    rules = rules_of(service)
    end = start + timedelta(minutes=service.duration_min)
    versions = None if schedule_version is None else {professional_id: schedule_version}
    (schedule,), _valid = load_worker_schedules(
        rules, [professional_id], start, end, now, exclude_booking_id, versions
    )
    return compute.is_slot_free(rules.params, schedule, rules.zone, now, start)
