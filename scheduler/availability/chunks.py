"""Chunks of an answer: the free starts of one chunk of time among all the candidates, in
the form the cache keeps and the API writes out (``scheduler/availability/cache.py``).

A chunk is made from every candidate's starts (``merged``), or, when only a few of the
candidates' schedules changed since it was made, from the chunk before with those
workers' starts put in anew (``patched``): a booking changes one worker's times, and the
hundreds of others, with the JSON pieces of every start they alone decide, stay as
they were.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import ne, or_
from time import gmtime, strftime

from scheduler.availability import compute
from scheduler.availability.compute import to_us
from scheduler.availability.team import Pools, coverage

_US_PER_MIN = 60_000_000


@dataclass(frozen=True, slots=True)
class Chunk:
    """The free starts of one chunk among all the candidates: the distinct starts, who is
    free at each (``ids[offsets[k]:offsets[k + 1]]``, ascending) and each start's JSON
    piece, ready to join. ``stamp``: the candidates and their versions it was made from
    (``cache.versions_key``'s flat array), shared by the chunks of one computation; None
    for a chunk that cannot be patched (made afresh, or of a team service)."""

    starts: array[int]
    offsets: array[int]
    ids: array[int]
    pieces: list[str]
    stamp: array[int] | None = None


_ISO_CACHE: dict[int, str] = {}


def iso(instant_us: int) -> str:
    """An instant as the API writes it, to the second: 2027-03-28T07:00:00Z."""
    text = _ISO_CACHE.get(instant_us)
    if text is None:
        if len(_ISO_CACHE) > 50_000:
            _ISO_CACHE.clear()
        text = _ISO_CACHE[instant_us] = strftime(
            "%Y-%m-%dT%H:%M:%SZ", gmtime(instant_us // 1_000_000)
        )
    return text


def _piece(start: int, duration: int, free: Sequence[int], text: Mapping[int, str]) -> str:
    return '{"end_at":"%s","professional_ids":[%s],"start_at":"%s"}' % (  # noqa: UP031
        iso(start + duration),
        ",".join(map(text.__getitem__, free)),
        iso(start),
    )


class _Texts(dict[int, str]):
    """Worker ids as text, made once each (a search writes each id at hundreds of starts)."""

    def __missing__(self, pid: int) -> str:
        text = self[pid] = str(pid)
        return text


def merged(
    by_worker: Mapping[int, Sequence[int]],
    duration: int,
    pools: Pools = (),
    stamp: array[int] | None = None,
) -> Chunk:
    """The workers' starts as one chunk of the answer; with ``pools``, only the starts
    where every pool has a free member (a team service)."""
    workers_at: defaultdict[int, list[int]] = defaultdict(list)
    get = workers_at.__getitem__
    for pid in sorted(by_worker):
        # The loop over the starts runs in C: a list per start, the worker appended.
        deque(map(list.append, map(get, by_worker[pid]), repeat(pid)), maxlen=0)
    starts = sorted(workers_at)
    if pools:
        fits = coverage(pools)
        starts = [start for start in starts if fits(workers_at[start])]
    offsets, ids = array("q", [0]), array("q")
    pieces = []
    text = _Texts()
    for start in starts:
        free = workers_at[start]
        ids.extend(free)
        offsets.append(len(ids))
        pieces.append(_piece(start, duration, free, text))
    return Chunk(array("q", starts), offsets, ids, pieces, None if pools else stamp)


def changed_workers(old: array[int], new: array[int]) -> list[int]:
    """The workers whose versions differ between two stamps of the same candidates."""
    count = len(new) // 3
    # Compared a version at a time in C: the stamps of hundreds of candidates.
    moved = map(
        or_,
        map(ne, old[count::2], new[count::2]),
        map(ne, old[count + 1 :: 2], new[count + 1 :: 2]),
    )
    return list(compress(new[:count], moved))


def patched(
    old: Chunk, fresh: Mapping[int, Sequence[int]], duration: int, stamp: array[int]
) -> Chunk:
    """``old`` with the workers of ``fresh`` free at their starts in ``fresh`` instead:
    what ``merged`` gives from every worker's starts, without visiting the others'. Only
    the starts where one of them came or went are written again (a booking changes a few
    starts of one worker); the rest, and a chunk where nothing changed, are kept as they
    were."""
    changed = sorted(fresh)
    gone = set(changed)
    now_free: defaultdict[int, list[int]] = defaultdict(list)
    for pid in changed:  # ascending: so is each list of who came
        for start in fresh[pid]:
            now_free[start].append(pid)
    old_starts, old_offsets, old_ids, old_pieces = old.starts, old.offsets, old.ids, old.pieces
    index = {start: k for k, start in enumerate(old_starts)}
    rewritten: dict[int, list[int]] = {}  # start -> who is free there now
    for start, k in index.items():
        first, last = old_offsets[k], old_offsets[k + 1]
        was = []
        for pid in changed:
            at = bisect_left(old_ids, pid, first, last)
            if at < last and old_ids[at] == pid:
                was.append(pid)
        if was != now_free.get(start, []):
            kept = [pid for pid in old_ids[first:last] if pid not in gone]
            rewritten[start] = sorted(kept + now_free.get(start, []))
    for start, came in now_free.items():
        if start not in index:
            rewritten[start] = came
    if not rewritten:
        return Chunk(old_starts, old_offsets, old_ids, old_pieces, stamp)
    starts, offsets, ids = array("q"), array("q", [0]), array("q")
    pieces = []
    text = _Texts()
    for start in sorted(index.keys() | rewritten.keys()):
        free = rewritten.get(start)
        if free is None:
            k = index[start]
            starts.append(start)
            ids.extend(old_ids[old_offsets[k] : old_offsets[k + 1]])
            offsets.append(len(ids))
            pieces.append(old_pieces[k])
        elif free:
            starts.append(start)
            ids.extend(free)
            offsets.append(len(ids))
            pieces.append(_piece(start, duration, free, text))
    return Chunk(starts, offsets, ids, pieces, stamp)


def chunk_of(slots: Sequence[compute.Slot], params: compute.ServiceParams) -> Chunk:
    """Slots computed afresh in the form of a cached chunk."""
    by_worker: dict[int, list[int]] = {}
    for slot in slots:
        start = to_us(slot.start)
        for pid in slot.worker_ids:
            by_worker.setdefault(pid, []).append(start)
    return merged(by_worker, params.duration_min * _US_PER_MIN)
