"""Choosing one professional per pool: each a different person, the preferred first."""

from __future__ import annotations

from scheduler.availability.team import coverage, covers, pick


def test_one_free_worker_of_every_pool_is_chosen_in_pool_order() -> None:
    assert pick(((1, 2), (3, 4)), [2, 4]) == (2, 4)
    assert pick(((1, 2), (3, 4)), [1, 2]) is None


def test_a_worker_in_two_pools_attends_once() -> None:
    pools = ((1, 2), (1, 3))
    assert pick(pools, [1]) is None
    assert pick(pools, [1, 2]) == (2, 1)
    assert not covers(pools, [1])
    assert coverage(pools)([1, 3]) and not coverage(pools)([1])


def test_the_preferred_member_of_a_pool_is_taken_first() -> None:
    least_booked = {1: 3, 2: 0, 3: 1, 4: 0}
    assert pick(((1, 2), (3, 4)), [1, 2, 3, 4], least_booked.__getitem__) == (2, 4)


def test_disjoint_pools_are_covered_when_every_pool_has_someone_free() -> None:
    fits = coverage(((1, 2), (3,), (4, 5)))
    assert fits([2, 3, 5])
    assert not fits([1, 2, 5])
