"""The standing part of professionals' schedules: weekly rules, extra openings, absences
and busy times imported from their calendars.

These change seldom (an editor saves, a feed is read again), and every change bumps the
professional's ``schedule_version`` (``scheduler/availability/versions.py``), so they are kept
in memory per version and read from the database only when the version moved. Bookings,
which change all the time, are always read afresh. A cached copy leaves out what ended
long ago and is refreshed twice a day, so it stays small and covers every search that can
still show a start.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from scheduler.availability import cache as slot_cache
from scheduler.availability import closures, compute
from scheduler.availability.compute import to_us
from scheduler.extensions import db
from scheduler.models import Absence, ExternalBusy, ExtraOpening, WeeklyRule

# What a cached copy keeps of the past, and how long it is used.
KEEP_PAST = timedelta(days=3)
REFRESH_AFTER = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class Standing:
    """One professional's standing schedule from ``since_us`` on (epoch microseconds)."""

    since_us: int
    rules: tuple[tuple[tuple[int, ...], compute.WeeklyRule], ...] = ()
    openings: tuple[tuple[tuple[int, ...], compute.Interval], ...] = ()
    absences: tuple[compute.Interval, ...] = ()
    busy_starts: tuple[int, ...] = ()  # sorted
    busy_ends: tuple[int, ...] = ()  # in the order of busy_starts
    longest_busy: int = 0
    closed: closures.ClosedTimes = closures.NOTHING_CLOSED  # public holidays and closures

    def rules_for(self, service_id: int) -> tuple[compute.WeeklyRule, ...]:
        """The weekly rules that apply to a service (no service ids: every service)."""
        return tuple(rule for ids, rule in self.rules if not ids or service_id in ids)

    def openings_for(self, service_id: int, lo: int, hi: int) -> tuple[compute.Interval, ...]:
        return tuple(
            opening
            for ids, opening in self.openings
            if (not ids or service_id in ids) and opening.start_us < hi and opening.end_us > lo
        )

    def absences_in(self, lo: int, hi: int) -> tuple[compute.Interval, ...]:
        return tuple(a for a in self.absences if a.start_us < hi and a.end_us > lo)

    def closed_in(self, service_id: int, lo: int, hi: int) -> tuple[compute.Interval, ...]:
        """Holidays and closures that close ``service_id`` within ``[lo, hi)``."""
        return closures.closed_for(self.closed, service_id, lo, hi)

    def busy_in(self, lo: int, hi: int) -> tuple[list[int], list[int]]:
        """Imported busy times that overlap ``[lo, hi)``."""
        starts, ends = self.busy_starts, self.busy_ends
        first = bisect_left(starts, lo - self.longest_busy)
        last = bisect_left(starts, hi)
        keep = [k for k in range(first, last) if ends[k] > lo]
        return [starts[k] for k in keep], [ends[k] for k in keep]


def load(ids: Sequence[int], since: datetime) -> dict[int, Standing]:
    """The standing schedules of ``ids``, leaving out what ended before ``since``."""
    rules: dict[int, list[Any]] = defaultdict(list)
    openings: dict[int, list[Any]] = defaultdict(list)
    absences: dict[int, list[compute.Interval]] = defaultdict(list)
    busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    closed: dict[int, closures.ClosedTimes] = {}
    if ids:
        connection = db.session.connection()
        rule_table, opening_table = WeeklyRule.__table__.c, ExtraOpening.__table__.c
        absence_table, busy_table = Absence.__table__.c, ExternalBusy.__table__.c
        for row in connection.execute(
            select(
                rule_table.professional_id,
                rule_table.weekday,
                rule_table.start_time,
                rule_table.end_time,
                rule_table.valid_from,
                rule_table.valid_to,
                rule_table.service_ids,
            ).where(rule_table.professional_id.in_(ids))
        ):
            rule = compute.WeeklyRule(row[1], row[2], row[3], row[4], row[5])
            rules[row[0]].append((tuple(row[6] or ()), rule))
        for pid, start, end, service_ids in connection.execute(
            select(
                opening_table.professional_id,
                opening_table.start_at,
                opening_table.end_at,
                opening_table.service_ids,
            ).where(opening_table.professional_id.in_(ids), opening_table.end_at > since)
        ):
            interval = compute.Interval(start, end)
            openings[pid].append((tuple(service_ids or ()), interval))
        for pid, start, end in connection.execute(
            select(
                absence_table.professional_id, absence_table.start_at, absence_table.end_at
            ).where(absence_table.professional_id.in_(ids), absence_table.end_at > since)
        ):
            absences[pid].append(compute.Interval(start, end))
        for pid, start, end in connection.execute(
            select(busy_table.professional_id, busy_table.start_at, busy_table.end_at).where(
                busy_table.professional_id.in_(ids), busy_table.end_at > since
            )
        ):
            busy[pid].append((to_us(start), to_us(end)))
        closed = closures.closed_times(connection, ids, since)
    found = {}
    for pid in ids:
        spans = sorted(busy[pid])
        found[pid] = Standing(
            since_us=to_us(since),
            rules=tuple(rules[pid]),
            openings=tuple(openings[pid]),
            absences=tuple(absences[pid]),
            busy_starts=tuple(start for start, _end in spans),
            busy_ends=tuple(end for _start, end in spans),
            longest_busy=max((end - start for start, end in spans), default=0),
            closed=closed.get(pid, closures.NOTHING_CLOSED),
        )
    return found


def standing(versions: Mapping[int, int], now: datetime, lo: datetime) -> dict[int, Standing]:
    """The standing schedules of the professionals (by their current ``schedule_version``)
    covering everything from ``lo`` on: from the process's cache where it holds them."""
    store = slot_cache.cache().standing
    now_us, lo_us = to_us(now), to_us(lo)
    found: dict[int, Standing] = {}
    missing: list[int] = []
    for pid, version in versions.items():
        entry = store.get((pid, version), now_us)
        if entry is not None and entry[1].since_us <= lo_us:
            found[pid] = entry[1]
        else:
            missing.append(pid)
    if missing:
        since = min(now - KEEP_PAST, lo)
        valid_until = to_us(now + REFRESH_AFTER)
        for pid, loaded in load(missing, since).items():
            found[pid] = loaded
            if since == now - KEEP_PAST:  # a copy for one old range is not worth keeping
                store.put((pid, versions[pid]), valid_until, loaded)
    return found
