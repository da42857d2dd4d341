"""Free times kept in memory while the schedules behind them are unchanged.

Computing a week of free times from the database costs far more than serving a page, and
families search much more often than anyone books. Each web process therefore keeps, per
service rules, professional and date range, the professional's free starts, keyed by the
versions that every schedule change bumps in its own transaction
(``scheduler/availability/versions.py``). A search reads the current versions in one query;
what is cached under them is exactly what the database would give now, so the cache is
never stale, and a change makes only the professionals it touched load again.

Two things a version does not cover are handled here:

* a hold that runs out frees its time without a write: an entry that counted a hold is
  used only until the hold's expiry;
* the minimum notice and the horizon move with the clock: entries hold every free start
  of the range, and each search cuts them to ``[now + notice, now + horizon)``.

Whole answers of the JSON API are kept too (as ready JSON pieces per start), under the
same versions, so a repeated search costs one small query and a join of strings.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from time import gmtime, strftime
from typing import Any, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from flask import current_app
from prometheus_client import Counter

from scheduler.availability import compute
from scheduler.availability.compute import to_us

V = TypeVar("V")
FOREVER = 1 << 62  # epoch microseconds later than any instant
_US_PER_MIN = 60_000_000
_US_PER_DAY = 86_400_000_000

SLOT_CACHE = Counter(
    "etaaika_slot_cache",
    "Per-professional free times asked of the in-process cache, by result (hit, miss).",
    ["result"],
)
for _result in ("hit", "miss"):
    SLOT_CACHE.labels(_result)

# (professional's schedule_version, sum of its day counters over the range's dates)
Versions = tuple[int, int]
# load({professional: schedule_version}, range_start, range_end, now)
#   -> (schedules, {professional: valid until, epoch microseconds})
Loader = Callable[..., tuple[Sequence[compute.WorkerSchedule], Mapping[int, int]]]


class _Store(Generic[V]):
    """A bounded mapping; when full, the oldest half is dropped."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: dict[Hashable, tuple[int, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, now_us: int) -> tuple[int, V] | None:
        """(valid until, value) of a key whose value is still valid at ``now_us``."""
        found = self.items.get(key)
        if found is None or found[0] <= now_us:
            return None
        return found

    def put(self, key: Hashable, valid_until: int, value: V) -> None:
        if len(self.items) >= self.size:
            with self._lock:
                for old in list(self.items)[: self.size // 2]:
                    self.items.pop(old, None)
        self.items[key] = (valid_until, value)


@dataclass(frozen=True, slots=True)
class Answer:
    """The free starts of one search with each start's JSON piece, ready to join."""

    starts: list[int]
    pieces: list[str]


class SlotCache:
    """One process's cache of free starts (per professional), of whole answers and of
    the standing part of schedules."""

    def __init__(self, workers: int = 20_000, answers: int = 2_000, standing: int = 5_000) -> None:
        self.workers: _Store[list[int]] = _Store(workers)
        self.answers: _Store[Answer] = _Store(answers)
        # Standing schedules per (professional, schedule_version): availability/standing.py.
        self.standing: _Store[Any] = _Store(standing)


def cache() -> SlotCache:
    """The application's cache (each app has its own, as each has its own database)."""
    extensions: dict[str, Any] = current_app.extensions
    found = extensions.get("etaaika_slot_cache")
    if found is None:
        found = extensions.setdefault("etaaika_slot_cache", SlotCache())
    return found


class Rules(Protocol):
    """What decides a service's free times (``scheduler.availability.slots.ServiceRules``)."""

    @property
    def key(self) -> Hashable: ...

    @property
    def params(self) -> compute.ServiceParams: ...

    @property
    def zone(self) -> ZoneInfo: ...


def worker_starts(
    rules: Rules,
    versions: Mapping[int, Versions],
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    load: Loader,
) -> tuple[dict[int, list[int]], int]:
    """Free starts per professional in the range (notice and horizon not applied), and
    until when all of them hold; loads only the professionals not cached under their
    current versions."""
    store = cache().workers
    rules_key, params, zone = rules.key, rules.params, rules.zone
    start_us, end_us, now_us = to_us(range_start), to_us(range_end), to_us(now)
    found: dict[int, list[int]] = {}
    valid_until = FOREVER
    missing: list[tuple[int, Hashable]] = []
    for pid, version in versions.items():
        key = (rules_key, pid, version, start_us, end_us)
        entry = store.get(key, now_us)
        if entry is not None:
            valid_until = min(valid_until, entry[0])
            found[pid] = entry[1]
        else:
            missing.append((pid, key))
    SLOT_CACHE.labels("hit").inc(len(found))
    if missing:
        SLOT_CACHE.labels("miss").inc(len(missing))
        schedules, expiries = load(
            {pid: versions[pid][0] for pid, _key in missing}, range_start, range_end, now
        )
        keys = dict(missing)
        for schedule in schedules:
            pid = schedule.worker_id
            starts = compute.free_starts_us(params, schedule, zone, start_us, end_us)
            expiry = expiries.get(pid, FOREVER)
            store.put(keys[pid], expiry, starts)
            found[pid] = starts
            valid_until = min(valid_until, expiry)
    return found, valid_until


def visible_bounds(
    params: compute.ServiceParams, range_start: datetime, range_end: datetime, now: datetime
) -> tuple[int, int]:
    """The starts a search may show now: ``[max(range start, now + notice),
    min(range end, now + horizon))`` in epoch microseconds."""
    now_us = to_us(now)
    low = max(to_us(range_start), now_us + params.min_notice_min * _US_PER_MIN)
    high = min(to_us(range_end), now_us + params.horizon_days * _US_PER_DAY)
    return low, high


def merge(
    starts_by_worker: Mapping[int, list[int]], low: int, high: int
) -> tuple[list[int], dict[int, list[int]]]:
    """Distinct starts in ``[low, high)``, sorted, and the professionals free at each
    (ascending ids)."""
    workers_at: dict[int, list[int]] = {}
    for pid in sorted(starts_by_worker):
        starts = starts_by_worker[pid]
        for start in starts[bisect_left(starts, low) : bisect_left(starts, high)]:
            at = workers_at.get(start)
            if at is None:
                workers_at[start] = [pid]
            else:
                at.append(pid)
    return sorted(workers_at), workers_at


_ISO_CACHE: dict[int, str] = {}


def _iso(instant_us: int) -> str:
    """An instant as the API writes it, to the second: 2027-03-28T07:00:00Z."""
    text = _ISO_CACHE.get(instant_us)
    if text is None:
        if len(_ISO_CACHE) > 50_000:
            _ISO_CACHE.clear()
        text = _ISO_CACHE[instant_us] = strftime(
            "%Y-%m-%dT%H:%M:%SZ", gmtime(instant_us // 1_000_000)
        )
    return text


def answer(
    rules: Rules,
    versions: Mapping[int, Versions],
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    load: Loader,
) -> tuple[list[int], list[str]]:
    """The free starts of a search cut to what may be shown now, each with its JSON piece
    ``{"end_at": …, "professional_ids": […], "start_at": …}`` (keys sorted, compact)."""
    store = cache().answers
    params = rules.params
    key = (rules.key, tuple(sorted(versions.items())), to_us(range_start), to_us(range_end))
    now_us = to_us(now)
    entry = store.get(key, now_us)
    if entry is None:
        by_worker, valid_until = worker_starts(rules, versions, range_start, range_end, now, load)
        starts, workers_at = merge(by_worker, -FOREVER, FOREVER)
        duration = params.duration_min * _US_PER_MIN
        pieces = [
            '{"end_at":"%s","professional_ids":[%s],"start_at":"%s"}'  # noqa: UP031
            % (_iso(start + duration), ",".join(map(str, workers_at[start])), _iso(start))
            for start in starts
        ]
        found = Answer(starts, pieces)
        store.put(key, valid_until, found)
    else:
        found = entry[1]
        SLOT_CACHE.labels("hit").inc(len(versions))
    low, high = visible_bounds(params, range_start, range_end, now)
    first, last = bisect_left(found.starts, low), bisect_left(found.starts, high)
    return found.starts[first:last], found.pieces[first:last]
