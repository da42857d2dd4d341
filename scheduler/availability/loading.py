"""The schedules behind free times, as plain values for the pure computation
(``compute``): the service's rules, the standing part of each worker's schedule (from
``standing``), and the bookings and imported busy times of the range (from ``busy``), each
kept in memory under its own version of the worker."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from scheduler.availability import busy as busy_times
from scheduler.availability import compute, standing
from scheduler.availability.cache import FOREVER, Loader
from scheduler.extensions import db
from scheduler.kernel import local_date, local_instant
from scheduler.models import Professional, Service


@dataclass(frozen=True, slots=True)
class ServiceRules:
    """What decides the free times of a service, as plain values."""

    id: int
    zone: ZoneInfo
    params: compute.ServiceParams
    bookable: bool = True

    @property
    def key(self) -> tuple[object, ...]:
        """Everything here that a cached result depends on, as plain values (a key the
        garbage collector need not follow)."""
        p = self.params
        return (
            self.id,
            self.zone.key,
            p.duration_min,
            p.slot_interval_min,
            p.buffer_before_min,
            p.buffer_after_min,
            p.max_per_day,
        )


class ServiceLengths(Protocol):
    """A service's fields that decide its times (a ``Service``, or a row of its columns)."""

    duration_min: int
    slot_interval_min: int
    buffer_before_min: int
    buffer_after_min: int
    min_notice_min: int
    horizon_days: int
    max_per_worker_per_day: int | None


def service_params(service: ServiceLengths) -> compute.ServiceParams:
    return compute.ServiceParams(
        duration_min=service.duration_min,
        slot_interval_min=service.slot_interval_min,
        buffer_before_min=service.buffer_before_min,
        buffer_after_min=service.buffer_after_min,
        min_notice_min=service.min_notice_min,
        horizon_days=service.horizon_days,
        max_per_day=service.max_per_worker_per_day,
    )


def rules_of(service: Service) -> ServiceRules:
    return ServiceRules(
        service.id, service.organisation.zone, service_params(service), service.bookable
    )


def load_margin(params: compute.ServiceParams) -> timedelta:
    """How far outside a range busy times can still decide starts inside it."""
    return timedelta(
        minutes=params.duration_min + params.buffer_before_min + params.buffer_after_min + 1440
    )


def load_schedules(
    service: Service,
    professionals: Sequence[Professional],
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> list[compute.WorkerSchedule]:
    """Everything that decides the professionals' free times in the range, as plain values."""
    schedules, _valid = load_worker_schedules(
        rules_of(service),
        [p.id for p in professionals],
        range_start,
        range_end,
        now,
        exclude_booking_id,
    )
    return schedules


def load_worker_schedules(
    rules: ServiceRules,
    ids: Sequence[int],
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    exclude_booking_id: int | None = None,
    versions: Mapping[int, int] | None = None,
    connection: Connection | None = None,
    busy_versions: Mapping[int, int] | None = None,
) -> tuple[list[compute.WorkerSchedule], dict[int, int]]:
    """The schedules of ``ids`` in the range, and per worker until when (epoch
    microseconds) they hold: the first moment a hold they count runs out.

    With ``versions`` (each professional's current ``schedule_version``) the standing part
    of the schedules may come from memory (``scheduler/availability/standing.py``), with
    ``busy_versions`` (their ``busy_version``) the bookings and imported busy times too
    (``scheduler/availability/busy.py``); otherwise they are read from the database (on
    ``connection``, by default the session's).
    """
    if not ids:
        return [], {}
    zone = rules.zone
    service_id = rules.id
    # Busy times just outside the range still block starts inside it through the buffers.
    margin = load_margin(rules.params)
    lo, hi = range_start - margin, range_end + margin
    lo_us, hi_us = compute.to_us(lo), compute.to_us(hi)
    if connection is None:
        connection = db.session.connection()
    if versions is None:
        standings = standing.load(ids, lo, connection)
    else:
        standings = standing.standing({pid: versions[pid] for pid in ids}, now, lo, connection)
    busy = busy_times.load(connection, ids, lo, hi, now, exclude_booking_id, busy_versions)
    per_day: dict[int, dict[date, int]] = {}
    if rules.params.max_per_day is not None:
        days, midnights = _local_days(lo, hi, zone)
        for pid, found in busy.items():
            starts = found.starts_of(service_id)
            if not starts:
                continue
            starts.sort()
            # The bookings on each day: those between its midnight and the next (a kept
            # copy of the busy times may reach beyond the days around the range).
            at = [bisect_left(starts, midnight) for midnight in midnights]
            per_day[pid] = {
                day: at[k + 1] - at[k] for k, day in enumerate(days[:-1]) if at[k + 1] > at[k]
            }
    schedules = []
    for pid in ids:
        fixed = standings[pid]
        found = busy.get(pid, busy_times.NOTHING)
        schedules.append(
            compute.WorkerSchedule(
                worker_id=pid,
                rules=fixed.rules_for(service_id),
                openings=fixed.openings_for(service_id, lo_us, hi_us),
                absences=fixed.absences_in(lo_us, hi_us)
                + fixed.closed_in(service_id, lo_us, hi_us),
                busy_starts_us=found.starts,
                busy_ends_us=found.ends,
                bookings_per_day=per_day.get(pid, {}),
            )
        )
    return schedules, {pid: busy[pid].valid_until if pid in busy else FOREVER for pid in ids}


def _local_days(lo: datetime, hi: datetime, zone: ZoneInfo) -> tuple[list[date], list[int]]:
    """The local dates around ``[lo, hi)`` and the instants of their midnights."""
    day = local_date(lo, zone) - timedelta(days=1)
    last = local_date(hi, zone) + timedelta(days=1)
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    return days, [compute.to_us(local_instant(day, time(0), zone)) for day in days]


def loader(rules: ServiceRules, detached: bool = False) -> Loader:
    """The loader of the cache for one service's rules (``versions``: schedule_version
    and busy_version per professional). ``detached``: on PostgreSQL, read outside the session's
    transaction, in autocommit, like the search's first read
    (``candidates.prepare``): a search that changes nothing then needs no BEGIN and
    COMMIT. Each statement of a transaction at read committed sees its own snapshot
    anyway, and what is read is kept under the versions read before it."""

    def load(
        versions: Mapping[int, tuple[int, int]],
        range_start: datetime,
        range_end: datetime,
        now: datetime,
    ) -> tuple[list[compute.WorkerSchedule], dict[int, int]]:
        standing_versions = {pid: version for pid, (version, _busy) in versions.items()}
        busy_versions = {pid: busy for pid, (_version, busy) in versions.items()}

        def read(
            connection: Connection | None,
        ) -> tuple[list[compute.WorkerSchedule], dict[int, int]]:
            return load_worker_schedules(
                rules,
                list(versions),
                range_start,
                range_end,
                now,
                versions=standing_versions,
                connection=connection,
                busy_versions=busy_versions,
            )

        if not detached or db.engine.dialect.name != "postgresql":
            return read(None)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            return read(connection)

    return load
