"""T3 and free-time counts: pure functions on the free slots of ``scheduler.availability``.

THL defines T3 as the number of days from the day of the query to the third free
appointment time. Here:

* The free times are exactly the ones the families' slot search offers at the query
  instant (``availability.free_slots``), so minimum notice, horizon, absences, bookings,
  buffers, external calendars and daily limits all count as they do for a family.
* Days are counted on local calendar dates of the organisation's zone:
  ``local_date(third) - query_day``. A third free time later on the day of the query is
  0 days; one on the next morning is 1 day, whatever the clock change in between.
* "Third free" counts *distinct, separately bookable* times, as a family looking at the
  one calendar of the service (or of the unit) sees them. The free starts are taken in
  order of time; a start is counted when it is at or after the end of the previously
  counted one (the end including the service's buffers), and skipped otherwise.
  Consequently

  - several workers free at the same start count once (the family sees one time);
  - starts on a grid finer than the appointment (9.00, 9.15, 9.30 for a 45-minute
    meeting) count once per appointment length (9.00 and 9.45), so that an open morning
    does not pass for three free appointments. With a grid equal to the appointment
    length this is the plain count of THL's fixed-slot calendars.

  For a unit, the free times of all its bookable services are merged and counted the
  same way (at equal starts the one that ends first is taken).
* When fewer than three free times are found within the booking horizon, T3 is None
  (the page shows "no third free time within the booking horizon").

The count of free times in a window is a capacity instead: how many more appointments
could still be booked. It counts, per worker, the worker's free starts taken in order
with each one at or after the end of the worker's previously counted one, and adds up
the workers. (A worker who is free for two services of a unit is counted over the
merged free times of both.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scheduler.availability import ServiceParams, Slot
from scheduler.kernel import local_date


@dataclass(frozen=True, slots=True)
class FreeTime:
    """A free start, the instant from which the same worker could start another one
    (the meeting's end plus the buffers after it and before the next), and who is free."""

    start: datetime
    next_start: datetime
    worker_ids: tuple[int, ...]


def free_times(slots: Iterable[Slot], service: ServiceParams) -> list[FreeTime]:
    """The slots of one service as free times, with the service's buffers."""
    spacing = timedelta(
        minutes=service.duration_min + service.buffer_after_min + service.buffer_before_min
    )
    return [FreeTime(s.start, s.start + spacing, s.worker_ids) for s in slots]


def _in_order(times: Iterable[FreeTime]) -> list[FreeTime]:
    return sorted(times, key=lambda t: (t.start, t.next_start))


def separate_times(times: Iterable[FreeTime]) -> list[FreeTime]:
    """The free times counted for T3, in order (see the module's docstring)."""
    counted: list[FreeTime] = []
    for time in _in_order(times):
        if not counted or time.start >= counted[-1].next_start:
            counted.append(time)
    return counted


def third_free_time(times: Iterable[FreeTime]) -> datetime | None:
    """The start of the third separately bookable free time, or None."""
    counted = separate_times(times)
    return counted[2].start if len(counted) >= 3 else None


def t3_days(times: Iterable[FreeTime], query_day: date, zone: ZoneInfo) -> int | None:
    """Days from the local ``query_day`` to the local date of the third free time."""
    third = third_free_time(times)
    if third is None:
        return None
    return (local_date(third, zone) - query_day).days


def bookable_count(times: Sequence[FreeTime], window_start: datetime, window_end: datetime) -> int:
    """How many more appointments could be booked with a start in the window, counted per
    worker (see the module's docstring)."""
    free_from: dict[int, datetime] = {}
    count = 0
    for time in _in_order(times):
        if not window_start <= time.start < window_end:
            continue
        for worker in time.worker_ids:
            previous = free_from.get(worker)
            if previous is None or time.start >= previous:
                free_from[worker] = time.next_start
                count += 1
    return count
