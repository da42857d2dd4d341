"""Free times kept in memory while the schedules behind them are unchanged.

Computing free times from the database costs far more than serving a page, and families
search much more often than anyone books. Each web process therefore keeps, per service
rules, professional and *chunk* (``CHUNK_DAYS`` UTC days), the professional's free starts,
keyed by the versions that every schedule change bumps in its own transaction
(``scheduler/availability/versions.py``). A search reads the current versions with its
candidates in one query; what is cached under them is exactly what the database would give
now, so the cache is never stale, and a change makes only the professionals it touched
load again.

Chunks make the cost of a search follow the size of its answer, not of its range: a
search of the whole booking horizon with a ``limit`` computes chunk after chunk only until
it has enough starts.

Two things a version does not cover are handled here:

* a hold that runs out frees its time without a write: an entry that counted a hold is
  used only until the hold's expiry;
* the minimum notice and the horizon move with the clock: entries hold every free start
  of their chunk, and each search cuts them to ``[now + notice, now + horizon)``.

Whole chunks of answers are kept too (ready JSON pieces per start, and who is free at
each), under the versions of all the candidates, so a repeated search costs one small
query and a join of strings. When a few of the candidates changed (a booking), a chunk of
an answer is patched from the one before with only their new starts (``chunks.patched``)
instead of being made again from everyone's. Starts and ids are kept in ``array('q')``,
whose contents the garbage collector does not visit (a list of ints is visited number by
number): a cache full of them does not make its collections, and so every later search,
slower.
"""

from __future__ import annotations

import hashlib
import threading
from array import array
from bisect import bisect_left
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from flask import current_app
from prometheus_client import Counter

from scheduler.availability import compute
from scheduler.availability.chunks import Chunk, changed_workers, merged, patched
from scheduler.availability.compute import to_us
from scheduler.availability.team import Pools

V = TypeVar("V")
FOREVER = 1 << 62  # epoch microseconds later than any instant
_US_PER_MIN = 60_000_000
_US_PER_DAY = 86_400_000_000
CHUNK_DAYS = 3
_CHUNK = CHUNK_DAYS * _US_PER_DAY

SLOT_CACHE = Counter(
    "etaaika_slot_cache",
    "Per-professional free times asked of the in-process cache, by result (hit, miss).",
    ["result"],
)
for _result in ("hit", "miss"):
    SLOT_CACHE.labels(_result)

# (professional's schedule_version, its busy_version)
Versions = tuple[int, int]
# load({professional: Versions}, range_start, range_end, now)
#   -> (schedules, {professional: valid until, epoch microseconds})
Loader = Callable[..., tuple[Sequence[compute.WorkerSchedule], Mapping[int, int]]]


class _Store(Generic[V]):
    """A bounded mapping of values kept under a version; when full, the oldest half is
    dropped.

    A key holds one version at a time: a newer version replaces the entry of the older
    one, so the store holds what is current, not the history of every change (which would
    also make each collection of the garbage collector, and so later searches, slower)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: dict[Hashable, tuple[int, Hashable, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable, now_us: int) -> tuple[int, V] | None:
        """(valid until, value) of a key kept under ``version`` and still valid at ``now_us``."""
        found = self.items.get(key)
        if found is None or found[0] <= now_us or found[1] != version:
            return None
        return found[0], found[2]

    def put(self, key: Hashable, version: Hashable, valid_until: int, value: V) -> None:
        if len(self.items) >= self.size:
            with self._lock:
                for old in list(self.items)[: self.size // 2]:
                    self.items.pop(old, None)
        self.items[key] = (valid_until, version, value)


class SlotCache:
    """One process's cache of free starts (per professional and chunk), of whole chunks of
    answers and of the standing part of schedules."""

    def __init__(
        self,
        workers: int = 100_000,
        answers: int = 5_000,
        standing: int = 5_000,
        busy: int = 20_000,
    ) -> None:
        # A worker's free starts in one chunk as the bytes of an array('q'): bytes are not
        # tracked by the garbage collector at all, nor then is the entry that holds them.
        self.workers: _Store[bytes] = _Store(workers)
        self.answers: _Store[Chunk] = _Store(answers)
        # Standing schedules per (professional, schedule_version): availability/standing.py.
        self.standing: _Store[Any] = _Store(standing)
        # Busy times per (professional, busy_version): availability/busy.py.
        self.busy: _Store[Any] = _Store(busy)
        # How many chunks a search with a limit needed last time: computed together next time.
        self.spans: dict[Hashable, int] = {}


def cache() -> SlotCache:
    """The application's cache (each app has its own, as each has its own database)."""
    extensions: dict[str, Any] = current_app.extensions
    found = extensions.get("etaaika_slot_cache")
    if found is None:
        found = extensions.setdefault("etaaika_slot_cache", SlotCache())
    return found


class Rules(Protocol):
    """What decides a service's free times (``scheduler.availability.loading.ServiceRules``)."""

    @property
    def key(self) -> Hashable: ...

    @property
    def params(self) -> compute.ServiceParams: ...

    @property
    def zone(self) -> ZoneInfo: ...


def chunks(low: int, high: int) -> range:
    """The starts of the chunks that hold ``[low, high)`` (epoch microseconds)."""
    return range(low - low % _CHUNK, high, _CHUNK)


def _us_datetime(instant_us: int) -> datetime:
    return datetime.fromtimestamp(0, UTC) + timedelta(microseconds=instant_us)


def worker_starts(
    rules: Rules,
    versions: Mapping[int, Versions],
    chunk_starts: Sequence[int],
    now: datetime,
    load: Loader,
) -> tuple[list[dict[int, Sequence[int]]], int]:
    """Free starts per professional in each of the chunks beginning at ``chunk_starts``
    (ascending; notice and horizon not applied), and until when all of them hold. Loads
    only the professionals not cached under their current versions, in one load for all
    the chunks."""
    store = cache().workers
    rules_key, params, zone = rules.key, rules.params, rules.zone
    now_us = to_us(now)
    found: list[dict[int, Sequence[int]]] = [{} for _ in chunk_starts]
    valid_until = FOREVER
    missing: dict[int, list[int]] = {}  # professional -> indexes of the chunks to compute
    hits = 0
    for pid, version in versions.items():
        for index, chunk in enumerate(chunk_starts):
            entry = store.get((rules_key, pid, chunk), version, now_us)
            if entry is not None:
                if entry[0] < valid_until:
                    valid_until = entry[0]
                found[index][pid] = memoryview(entry[1]).cast("q")
                hits += 1
            else:
                missing.setdefault(pid, []).append(index)
    SLOT_CACHE.labels("hit").inc(hits)
    if missing:
        SLOT_CACHE.labels("miss").inc(sum(map(len, missing.values())))
        needed = sorted({index for indexes in missing.values() for index in indexes})
        low, high = chunk_starts[needed[0]], chunk_starts[needed[-1]] + _CHUNK
        schedules, expiries = load(
            {pid: versions[pid] for pid in missing},
            _us_datetime(low),
            _us_datetime(high),
            now,
        )
        computed = compute.free_starts_of(params, schedules, zone, low, high)
        put = store.put
        for pid, indexes in missing.items():
            starts = computed[pid]
            every = array("q", starts)
            expiry = expiries.get(pid, FOREVER)
            if expiry < valid_until:
                valid_until = expiry
            version = versions[pid]
            for index in indexes:
                chunk = chunk_starts[index]
                part = every[bisect_left(starts, chunk) : bisect_left(starts, chunk + _CHUNK)]
                kept = part.tobytes()
                put((rules_key, pid, chunk), version, expiry, kept)
                found[index][pid] = part
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


def versions_key(versions: Mapping[int, Versions]) -> tuple[bytes, bytes, array[int]]:
    """The candidates, and the candidates with their versions, each as one short digest
    (a key of hundreds of numbers would cost more to hash, and to keep, than the entry);
    and the flat array they are made from (the ids, then each one's two versions)."""
    pids = sorted(versions)
    flat = array("q", pids)
    for pid in pids:
        flat.extend(versions[pid])
    candidates = hashlib.blake2b(flat[: len(pids)].tobytes(), digest_size=20).digest()
    return candidates, hashlib.blake2b(flat.tobytes(), digest_size=20).digest(), flat


@dataclass(frozen=True, slots=True)
class Page:
    """Free starts of a search, in order: parts of cached chunks, and whether the answer
    stopped at its limit (more starts may follow the last one)."""

    parts: list[tuple[Chunk, int, int]]
    cut: bool

    def starts(self) -> list[int]:
        return [start for chunk, first, last in self.parts for start in chunk.starts[first:last]]

    def pieces(self) -> list[str]:
        return [piece for chunk, first, last in self.parts for piece in chunk.pieces[first:last]]

    def worker_ids(self) -> list[tuple[int, ...]]:
        """Who is free at each start (ascending ids)."""
        found = []
        for chunk, first, last in self.parts:
            offsets, ids = chunk.offsets, chunk.ids
            found += [tuple(ids[offsets[k] : offsets[k + 1]]) for k in range(first, last)]
        return found


def answer(
    rules: Rules,
    versions: Mapping[int, Versions],
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    load: Loader,
    limit: int | None = None,
    pools: Pools = (),
) -> Page:
    """The free starts of a search cut to what may be shown now, at most ``limit``; with
    ``pools`` (a team service), only the starts where every pool has a free member."""
    params = rules.params
    candidates, version, stamp = versions_key(versions)
    key = (rules.key, candidates, pools)
    low, high = visible_bounds(params, range_start, range_end, now)
    parts: list[tuple[Chunk, int, int]] = []
    room = FOREVER if limit is None else limit
    chunk_list = list(chunks(low, high)) if low < high else []
    pending = chunk_list
    spans = cache().spans
    # Chunks computed together (one load of the schedules for all): with a limit, as many
    # as the same search needed last time (one at first), then as many as the limit seems
    # to need.
    batch = len(chunk_list) if limit is None else spans.get((key, limit), 1)
    while pending:
        done = len(chunk_list) - len(pending)
        group, pending = pending[:batch], pending[batch:]
        made = _chunks(rules, versions, key, (version, stamp), group, now, load, pools)
        for used, found in enumerate(made, start=done + 1):
            first, last = bisect_left(found.starts, low), bisect_left(found.starts, high)
            if last - first >= room:
                parts.append((found, first, first + room))
                _remember(spans, (key, limit), used)
                return Page(parts, True)
            if first < last:
                parts.append((found, first, last))
                room -= last - first
        # Guess how many more chunks the limit needs from what the chunks so far held.
        shown = sum(last - first for _chunk, first, last in parts)
        if shown:
            done = len(chunk_list) - len(pending)
            batch = max(1, min(len(pending), -(-room * done // shown)))
        else:
            batch = min(len(pending), batch * 2)
    if limit is not None:
        _remember(spans, (key, limit), len(chunk_list))
    return Page(parts, False)


def _remember(spans: dict[Hashable, int], key: Hashable, count: int) -> None:
    if len(spans) >= 10_000:
        spans.clear()
    spans[key] = max(1, count)


# A chunk is patched (``chunks.patched``) when at most this share of its candidates changed.
_PATCH_SHARE = 8


def _chunks(
    rules: Rules,
    versions: Mapping[int, Versions],
    key: tuple[Hashable, ...],
    version: tuple[bytes, array[int]],
    chunk_starts: Sequence[int],
    now: datetime,
    load: Loader,
    pools: Pools = (),
) -> list[Chunk]:
    """The chunks of the answer, from the cache, patched where a few of the candidates
    changed, or computed together."""
    store = cache().answers
    digest, stamp = version
    now_us = to_us(now)
    found: list[Chunk | None] = []
    before: dict[int, tuple[int, Chunk]] = {}  # chunk index -> an older chunk still valid
    for k, chunk_start in enumerate(chunk_starts):
        entry = store.get((*key, chunk_start), digest, now_us)
        found.append(None if entry is None else entry[1])
        if entry is None:
            older = store.items.get((*key, chunk_start))
            if older is not None and older[0] > now_us and older[2].stamp is not None:
                before[k] = (older[0], older[2])
    missing = [k for k, chunk in enumerate(found) if chunk is None]
    SLOT_CACHE.labels("hit").inc(len(versions) * (len(found) - len(missing)))
    if not missing:
        return [chunk for chunk in found if chunk is not None]
    duration = rules.params.duration_min * _US_PER_MIN
    changed: set[int] = set()
    # The chunks of one computation share their stamp: each is compared once.
    stamps = {id(kept.stamp): kept.stamp for _valid, kept in before.values()}
    for old_stamp in stamps.values():
        if old_stamp is not None and len(old_stamp) == len(stamp):
            changed.update(changed_workers(old_stamp, stamp))
    few = len(changed) * _PATCH_SHARE <= len(versions)
    patch = [k for k in missing if k in before] if few else []
    full = [k for k in missing if k not in patch]
    if full:
        by_chunk, valid_until = worker_starts(
            rules, versions, [chunk_starts[k] for k in full], now, load
        )
        for k, by_worker in zip(full, by_chunk, strict=True):
            made = merged(by_worker, duration, pools, stamp)
            store.put((*key, chunk_starts[k]), digest, valid_until, made)
            found[k] = made
    if patch:
        by_chunk, valid_until = worker_starts(
            rules,
            {pid: versions[pid] for pid in changed},
            [chunk_starts[k] for k in patch],
            now,
            load,
        )
        for k, by_worker in zip(patch, by_chunk, strict=True):
            old_valid, kept = before[k]
            made = patched(kept, {pid: by_worker.get(pid, ()) for pid in changed}, duration, stamp)
            store.put((*key, chunk_starts[k]), digest, min(old_valid, valid_until), made)
            found[k] = made
    return [chunk for chunk in found if chunk is not None]
