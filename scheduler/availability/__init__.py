"""Free times: the pure computation (``compute``), the cache and the schedule versions that keep
it fresh, withheld workers, the coverage check and the editor's preview.

The pure computation's values and functions are re-exported here, so that
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

__all__ = [
    "Interval",
    "ServiceParams",
    "Slot",
    "WeeklyRule",
    "WorkerSchedule",
    "free_slots",
    "free_starts_us",
    "is_slot_free",
    "to_us",
]
