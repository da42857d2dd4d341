"""Free times: the pure computation (``values``, ``compute``), the candidate workers
(``candidates``), loading schedules (``loading``, ``standing``), the cache and the schedule
versions that keep it fresh (``cache``, ``versions``), withheld workers (``withheld``), the
editor's changes with the coverage check (``schedule``, ``coverage``) and its preview
(``preview``).

The one entry point for free times (``free_times``, asked with an ``Ask``) and the pure
computation's values and functions are re-exported here, so that
``from scheduler import availability`` reads as the concept.
"""

from scheduler.availability.compute import (
    Interval,
    ServiceParams,
    Slot,
    WeeklyRule,
    WorkerSchedule,
    free_slots,
    free_starts_us,
    is_slot_free,
    to_us,
)
from scheduler.availability.free import Ask, FreeTimes, free_times

__all__ = [
    "Ask",
    "FreeTimes",
    "Interval",
    "ServiceParams",
    "Slot",
    "WeeklyRule",
    "WorkerSchedule",
    "free_slots",
    "free_starts_us",
    "free_times",
    "is_slot_free",
    "to_us",
]
