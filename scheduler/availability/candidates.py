"""Who may take a booking of a service, chosen here and nowhere else: every active worker
linked to it, or a named one, or those who speak the family's language, or those among
given ids; leaving out those whose times are withheld for a stale calendar feed
(``withheld``), who are named in the answer instead.

One query reads the service's rules and every candidate with their schedule versions
(``prepare``): the first step of every search for free times.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, TextClause, and_, bindparam, exists, func, null, select, text

from scheduler.availability.loading import ServiceRules, service_params
from scheduler.availability.team import Pools
from scheduler.availability.withheld import withheld_professionals
from scheduler.extensions import db
from scheduler.kernel import Problem, UTCDateTime, day_bounds, local_date
from scheduler.models import (
    ACTIVE_STATUSES,
    Booking,
    CalendarFeed,
    Organisation,
    Professional,
    Service,
    ServicePool,
    service_pool_members,
    service_professionals,
)

# (schedule_version, busy_version) of one professional
Versions = tuple[int, int]


@dataclass(frozen=True)
class Chosen:
    """A service's rules and its chosen candidates with their schedule versions."""

    rules: ServiceRules
    versions: dict[int, Versions]  # candidate -> versions, ascending ids
    # Candidates who matched what was asked but whose times are withheld now.
    withheld: tuple[int, ...] = ()
    # A team service: the candidates of each of its pools (one of every pool must be free).
    pools: Pools = ()


@functools.cache
def _search_query(one_professional: bool, among: bool, languages: bool) -> Select[Any]:
    """The service with its organisation's zone, and each candidate professional with the
    versions of their schedule: one row per professional, or one row without a
    professional when there is none (so a missing service has no row)."""
    services, organisations = Service.__table__.c, Organisation.__table__.c
    pros = Professional.__table__.c
    links = service_professionals.c
    feeds = CalendarFeed.__table__.c
    joined = and_(pros.id == links.professional_id, pros.active.is_(True))
    if one_professional:
        joined = and_(joined, pros.id == bindparam("professional_id"))
    if among:
        joined = and_(joined, pros.id.in_(bindparam("among", expanding=True)))
    team = service_professionals.join(Professional.__table__, joined)
    pools, members = ServicePool.__table__.c, service_pool_members.c
    counted = ServicePool.__table__.alias("counted_pools")
    pool_count = (
        select(func.count())
        .select_from(counted)
        .where(counted.c.service_id == services.id)
        .scalar_subquery()
    )
    in_pool = service_pool_members.join(ServicePool.__table__, pools.id == members.pool_id)
    return (
        select(
            services.duration_min,
            services.slot_interval_min,
            services.buffer_before_min,
            services.buffer_after_min,
            services.min_notice_min,
            services.horizon_days,
            services.max_per_worker_per_day,
            services.bookable,
            organisations.timezone,
            pros.id,
            # Read (and decoded) only when a language is asked for.
            pros.languages if languages else null().label("languages"),
            pros.schedule_version,
            pros.busy_version,
            exists().where(feeds.professional_id == pros.id),
            pool_count.label("pool_count"),
            pools.position,
        )
        .select_from(
            Service.__table__.join(
                Organisation.__table__, organisations.id == services.organisation_id
            )
            .outerjoin(team, links.service_id == services.id)
            .outerjoin(
                in_pool, and_(members.professional_id == pros.id, pools.service_id == services.id)
            )
        )
        .where(services.id == bindparam("service_id"))
        .order_by(pros.id)
    )


def prepare(
    service_id: int,
    professional_id: int | None = None,
    language: str | None = None,
    among: Sequence[int] | None = None,
    detached: bool = False,
    pooled: bool = True,
) -> Chosen | None:
    """The service's rules and its chosen candidates in one query, or None when there is
    no such service. ``detached``: read outside the session's transaction (a search that
    changes nothing; see ``_read``).

    A team service's choices work on each pool: a named worker stands for their own pool,
    the others keep every member; a language and ``among`` narrow every pool. With
    ``pooled`` False its workers are candidates one by one, as for any service (the
    re-check of one worker's time)."""
    values: dict[str, Any] = {"service_id": service_id, "professional_id": professional_id}
    if among is not None:
        values["among"] = list(among)
    if not language and db.engine.dialect.name == "postgresql":
        return _prepare_arrays(values, professional_id, among is not None, detached, pooled)
    query = _search_query(professional_id is not None, among is not None, bool(language))
    rows = _read(query, values, detached)
    if not rows:
        return None
    row = rows[0]
    team_service = pooled and bool(row.pool_count)
    if team_service and professional_id is not None:
        rows = _read(_search_query(False, among is not None, bool(language)), values, detached)
    rules = ServiceRules(service_id, _zone(row.timezone), service_params(row), bool(row.bookable))
    found: dict[int, tuple[Any, ...]] = {}
    positions: dict[int, list[int]] = {}
    for each in rows:
        if each.id is None:
            continue
        found[each.id] = tuple(each)[-7:-2]
        if each.position is not None:
            positions.setdefault(int(each.position), []).append(each.id)
    team = list(found.values())
    speaking = [(pid, feed) for pid, languages, _v, _b, feed in team if speaks(languages, language)]
    withheld = withheld_professionals([pid for pid, feed in speaking if feed])
    kept = [pid for pid, _feed in speaking if pid not in withheld]
    versions = {pid: (int(found[pid][2]), int(found[pid][3])) for pid in kept}
    pools: Pools = ()
    if team_service:
        pools = _pools(positions, int(row.pool_count), set(kept), professional_id)
        members = {pid for pool in pools for pid in pool}
        versions = {pid: v for pid, v in versions.items() if pid in members}
    return Chosen(
        rules,
        versions,
        tuple(pid for pid, _feed in speaking if pid in withheld),
        pools,
    )


_ARRAYS_SQL = """
SELECT s.duration_min, s.slot_interval_min, s.buffer_before_min, s.buffer_after_min,
       s.min_notice_min, s.horizon_days, s.max_per_worker_per_day, s.bookable, o.timezone,
       (SELECT count(*) FROM service_pools WHERE service_id = s.id) AS pool_count,
       w.ids, w.schedule_versions, w.busy_versions,
       (SELECT array_agg(DISTINCT f.professional_id)
          FROM calendar_feeds f
          JOIN service_professionals l ON l.professional_id = f.professional_id
         WHERE l.service_id = s.id) AS fed,
       m.members, m.positions
  FROM services s
  JOIN organisations o ON o.id = s.organisation_id
 CROSS JOIN LATERAL (
       SELECT array_agg(p.id ORDER BY p.id) AS ids,
              array_agg(p.schedule_version ORDER BY p.id) AS schedule_versions,
              array_agg(p.busy_version ORDER BY p.id) AS busy_versions
         FROM service_professionals l
         JOIN professionals p ON p.id = l.professional_id AND p.active
        WHERE l.service_id = s.id{narrow}) AS w
 CROSS JOIN LATERAL (
       SELECT array_agg(pm.professional_id) AS members, array_agg(sp.position) AS positions
         FROM service_pool_members pm
         JOIN service_pools sp ON sp.id = pm.pool_id
        WHERE sp.service_id = s.id) AS m
 WHERE s.id = :service_id
"""


@functools.cache
def _arrays_query(one_professional: bool, among: bool) -> TextClause:
    """``_search_query`` for PostgreSQL without a language: one row, the candidates and
    their versions as arrays. The database aggregates them once instead of sending a row
    per worker, and the driver reads arrays of numbers without a Python step each: at a
    few hundred workers most of what a repeated search costs."""
    narrow = ""
    if one_professional:
        narrow += " AND p.id = :professional_id"
    if among:
        narrow += " AND p.id = ANY(:among)"
    return text(_ARRAYS_SQL.format(narrow=narrow))


def _prepare_arrays(
    values: dict[str, Any], professional_id: int | None, among: bool, detached: bool, pooled: bool
) -> Chosen | None:
    """``prepare`` from ``_arrays_query`` (the same answer as from the rows of
    ``_search_query``)."""
    rows = _read(_arrays_query(professional_id is not None, among), values, detached)
    if not rows:
        return None
    row = rows[0]
    team_service = pooled and bool(row.pool_count)
    if team_service and professional_id is not None:
        # A named worker of a team service stands for their pool; the others are needed.
        row = _read(_arrays_query(False, among), values, detached)[0]
    rules = ServiceRules(
        int(values["service_id"]), _zone(row.timezone), service_params(row), bool(row.bookable)
    )
    ids: list[int] = row.ids or []
    fed = set(row.fed or ()).intersection(ids)
    withheld = withheld_professionals(sorted(fed)) if fed else set()
    version_pairs = zip(row.schedule_versions or (), row.busy_versions or (), strict=True)
    versions = dict(zip(ids, version_pairs, strict=True))
    for pid in withheld:
        del versions[pid]
    pools: Pools = ()
    if team_service:
        positions: dict[int, list[int]] = {}
        chosen = set(ids)
        for pid, position in zip(row.members or (), row.positions or (), strict=True):
            if pid in chosen:
                positions.setdefault(int(position), []).append(pid)
        pools = _pools(positions, int(row.pool_count), set(versions), professional_id)
        members = {pid for pool in pools for pid in pool}
        versions = {pid: v for pid, v in versions.items() if pid in members}
    return Chosen(rules, versions, tuple(pid for pid in ids if pid in withheld), pools)


def _pools(positions: dict[int, list[int]], count: int, kept: set[int], named: int | None) -> Pools:
    """Each pool's candidates; none at all when a pool has nobody left (the team cannot
    meet) or the named worker is in no pool."""
    if len(positions) < count:
        return ()
    pools = []
    for position in sorted(positions):
        members = sorted(pid for pid in set(positions[position]) if pid in kept)
        if named is not None and named in positions[position]:
            members = [named] if named in kept else []
        pools.append(tuple(members))
    if any(not pool for pool in pools):
        return ()
    if named is not None and not any(named in pool for pool in pools):
        return ()
    return tuple(pools)


def speaks(languages: Sequence[str] | None, language: str | None) -> bool:
    """Whether a worker with ``languages`` matches the language asked for (if any)."""
    return not language or language in (languages or ())


def _read(
    statement: Select[Any] | TextClause, values: dict[str, Any], detached: bool
) -> Sequence[Any]:
    """Run the search's one read; rows with the columns as attributes.

    Detached, on PostgreSQL, it runs outside the request's transaction, in autocommit: a search
    changes nothing, and a transaction of its own would cost two more round trips (BEGIN
    and COMMIT) on the busiest request of the service. SQLite reads in the session, whose
    transactions its locking relies on.
    """
    if not detached or db.engine.dialect.name != "postgresql":
        return list(db.session.connection().execute(statement, values).all())
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return list(connection.execute(statement, values).all())


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def candidates(
    service: Service, professional_id: int | None = None, language: str | None = None
) -> list[Professional]:
    """The professionals who may take a booking of ``service`` now, as objects (ascending
    ids): any, a named one, or by language."""
    chosen = prepare(service.id, professional_id, language)
    if chosen is None or not chosen.versions:
        return []
    pros = db.session.scalars(
        select(Professional)
        .where(Professional.id.in_(list(chosen.versions)))
        .order_by(Professional.id)
    )
    return list(pros)


def team(service: Service) -> list[Professional]:
    """Every active worker linked to ``service``, those whose times are withheld included:
    what a family may ask for (the answer then says when the times are withheld)."""
    return [pro for pro in service.professionals if pro.active]


def nobody_because_withheld(
    service: Service, professional_id: int | None = None, language: str | None = None
) -> Problem:
    """The refusal when no candidate is left: 409 when the asked-for workers exist but
    their times are withheld now (a stale calendar feed), else 404 (no such worker)."""
    chosen = prepare(service.id, professional_id, language)
    if chosen is not None and chosen.withheld:
        return Problem(
            409, "times_withheld", "The asked-for worker's times are not available right now."
        )
    return Problem(404, "no_professional", "No such worker offers this service.")


@functools.cache
def _booked_that_day_query() -> Select[Any]:
    bookings = Booking.__table__.c
    return (
        select(bookings.professional_id, func.count())
        .where(
            bookings.professional_id.in_(bindparam("ids", expanding=True)),
            bookings.start_at >= bindparam("day_start", type_=UTCDateTime),
            bookings.start_at < bindparam("day_end", type_=UTCDateTime),
            bookings.status.in_(ACTIVE_STATUSES),
        )
        .group_by(bookings.professional_id)
    )


def hold_candidates(
    service: Service,
    start: datetime,
    professional_id: int | None = None,
    language: str | None = None,
) -> list[int]:
    """The ids of ``candidates``, the least booked on the local date of ``start`` first
    (to share the load of "any worker")."""
    chosen = prepare(service.id, professional_id, language)
    if chosen is None or not chosen.versions:
        return []
    ids = list(chosen.versions)
    zone = chosen.rules.zone
    day_start, day_end = day_bounds(local_date(start, zone), zone)
    rows = db.session.connection().execute(
        _booked_that_day_query(), {"ids": ids, "day_start": day_start, "day_end": day_end}
    )
    booked = {pid: int(count) for pid, count in rows}
    return sorted(ids, key=lambda pid: (booked.get(pid, 0), pid))
