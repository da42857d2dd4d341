"""The standing part of professionals' schedules: weekly rules, extra openings and
absences. (Busy times imported from calendars are read with the bookings, for the range
searched only: there are many of them and a feed replaces them often.)

These change seldom (an editor saves), and every change bumps the
professional's ``schedule_version`` (``scheduler/availability/versions.py``), so they are kept
in memory per version and read from the database only when the version moved. Bookings,
which change all the time, are always read afresh. A cached copy leaves out what ended
long ago and is refreshed twice a day, so it stays small and covers every search that can
still show a start.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.types import NullType

from scheduler.availability import cache as slot_cache
from scheduler.availability import closures, compute
from scheduler.availability.compute import to_us
from scheduler.extensions import db
from scheduler.kernel import among_sql
from scheduler.models import Absence, ExtraOpening, WeeklyRule

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


def load(
    ids: Sequence[int], since: datetime, connection: Connection | None = None
) -> dict[int, Standing]:
    """The standing schedules of ``ids``, leaving out what ended before ``since`` (read on
    ``connection``, by default the session's)."""
    rules: dict[int, list[Any]] = defaultdict(list)
    openings: dict[int, list[Any]] = defaultdict(list)
    absences: dict[int, list[compute.Interval]] = defaultdict(list)
    closed: dict[int, closures.ClosedTimes] = {}
    if ids:
        if connection is None:
            connection = db.session.connection()
        opening_table = ExtraOpening.__table__.c
        dialect = connection.dialect.name
        absence_table = Absence.__table__.c
        # Workers of one organisation tend to share their hours: one value per distinct rule.
        made: dict[tuple[Any, ...], tuple[tuple[int, ...], compute.WeeklyRule]] = {}
        for pids, weekday, start, end, valid_from, valid_to, service_ids in _weekly_rules(
            connection, ids
        ):
            key = (weekday, start, end, valid_from, valid_to, tuple(service_ids or ()))
            value = made.get(key)
            if value is None:
                rule = compute.WeeklyRule(weekday, start, end, valid_from, valid_to)
                value = made[key] = (key[5], rule)
            for pid in pids:
                rules[pid].append(value)
        for pid, start, end, service_ids in connection.execute(
            select(
                opening_table.professional_id,
                opening_table.start_at,
                opening_table.end_at,
                opening_table.service_ids,
            ).where(
                among_sql(opening_table.professional_id, ids, dialect),
                opening_table.end_at > since,
            )
        ):
            interval = compute.Interval(start, end)
            openings[pid].append((tuple(service_ids or ()), interval))
        for pid, start, end in connection.execute(
            select(
                absence_table.professional_id, absence_table.start_at, absence_table.end_at
            ).where(
                among_sql(absence_table.professional_id, ids, dialect),
                absence_table.end_at > since,
            )
        ):
            absences[pid].append(compute.Interval(start, end))
        closed = closures.closed_times(connection, ids, since)
    found = {}
    for pid in ids:
        found[pid] = Standing(
            since_us=to_us(since),
            rules=tuple(rules[pid]),
            openings=tuple(openings[pid]),
            absences=tuple(absences[pid]),
            closed=closed.get(pid, closures.NOTHING_CLOSED),
        )
    return found


def _weekly_rules(connection: Connection, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """The weekly rules of ``ids``, each distinct rule once with the workers who have it:
    ``(worker ids, weekday, start, end, valid from, valid to, service ids)``. On
    PostgreSQL the database groups them (the rules of hundreds of workers are a handful
    of distinct ones); elsewhere one row per worker's rule."""
    table = WeeklyRule.__table__.c
    columns = (table.weekday, table.start_time, table.end_time, table.valid_from, table.valid_to)
    if connection.dialect.name != "postgresql":
        return [
            ((pid,), *rest)
            for pid, *rest in connection.execute(
                select(table.professional_id, *columns, table.service_ids).where(
                    table.professional_id.in_(ids)
                )
            )
        ]
    services = cast(table.service_ids, Text)
    return [
        (pids, *rest, json.loads(services_text) if services_text else None)
        for pids, *rest, services_text in connection.execute(
            select(func.array_agg(table.professional_id, type_=NullType()), *columns, services)
            .where(among_sql(table.professional_id, ids, "postgresql"))
            .group_by(*columns, services)
        )
    ]


def standing(
    versions: Mapping[int, int],
    now: datetime,
    lo: datetime,
    connection: Connection | None = None,
) -> dict[int, Standing]:
    """The standing schedules of the professionals (by their current ``schedule_version``)
    covering everything from ``lo`` on: from the process's cache where it holds them."""
    store = slot_cache.cache().standing
    now_us, lo_us = to_us(now), to_us(lo)
    found: dict[int, Standing] = {}
    missing: list[int] = []
    for pid, version in versions.items():
        entry = store.get(pid, version, now_us)
        if entry is not None and entry[1].since_us <= lo_us:
            found[pid] = entry[1]
        else:
            missing.append(pid)
    if missing:
        since = min(now - KEEP_PAST, lo)
        valid_until = to_us(now + REFRESH_AFTER)
        for pid, loaded in load(missing, since, connection).items():
            found[pid] = loaded
            if since == now - KEEP_PAST:  # a copy for one old range is not worth keeping
                store.put(pid, versions[pid], valid_until, loaded)
    return found
