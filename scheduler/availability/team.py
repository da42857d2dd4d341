"""Collective availability of a team service, as plain values: a start is free when one
professional of every pool is free at it, each a different person (a worker may sit in
two pools, yet attends once). Pure: no Flask, no database."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

# The pools of a team service in order, each its candidates' ids (ascending); () for a
# service that needs one professional.
Pools = tuple[tuple[int, ...], ...]


def pick(
    pools: Pools,
    free: Collection[int],
    order: Callable[[int], Any] | None = None,
) -> tuple[int, ...] | None:
    """One free professional per pool, all different, or None when the pools cannot all
    be filled. ``order`` ranks the members of a pool (the least booked first); by default
    the lowest id. A small search with backtracking: a team has a few pools."""
    free_set = free if isinstance(free, set | frozenset) else set(free)
    ranked = [
        sorted((pid for pid in pool if pid in free_set), key=order)
        if order
        else [pid for pid in pool if pid in free_set]
        for pool in pools
    ]
    if any(not members for members in ranked):
        return None
    chosen: list[int] = []

    def fill(index: int) -> bool:
        if index == len(ranked):
            return True
        for pid in ranked[index]:
            if pid not in chosen:
                chosen.append(pid)
                if fill(index + 1):
                    return True
                chosen.pop()
        return False

    return tuple(chosen) if fill(0) else None


def covers(pools: Pools, free: Sequence[int]) -> bool:
    """Whether the professionals ``free`` at a start can fill every pool."""
    if len(free) < len(pools):
        return False
    return pick(pools, free) is not None


def coverage(pools: Pools) -> Callable[[Sequence[int]], bool]:
    """``covers`` for many starts of one search: with pools that share no worker (the
    usual team), a start is covered when its free workers touch every pool, which a
    look-up per worker tells without a search."""
    owner: dict[int, int] = {}
    for index, pool in enumerate(pools):
        for pid in pool:
            if owner.setdefault(pid, index) != index:
                return lambda free: covers(pools, free)
    need = len(pools)

    def fits(free: Sequence[int]) -> bool:
        return len({owner.get(pid, -1) for pid in free} - {-1}) == need

    return fits
