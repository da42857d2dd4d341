"""The slot search of the JSON API: the hot path of the whole service.

Families search far more often than anyone books, so this path reads no ORM objects: the
service's rules and the candidate professionals with their schedule versions come in one
prepared query, and the free times themselves from the process's cache
(``scheduler/availability/cache.py``) whenever the versions are unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import Select, and_, bindparam, exists, select
from sqlalchemy.exc import DBAPIError

from scheduler.availability import cache as slot_cache
from scheduler.availability import versions as schedule_versions
from scheduler.availability.candidates import offering
from scheduler.availability.loading import (
    VERSION_MARGIN,
    ServiceRules,
    load_margin,
    loader,
    service_params,
    version_window,
)
from scheduler.extensions import db
from scheduler.kernel import local_instant
from scheduler.models import (
    CalendarFeed,
    Organisation,
    Professional,
    Service,
    service_professionals,
)
from scheduler.observability.metrics import timed_slot_search


@functools.cache
def _search_query(one_professional: bool) -> Select[Any]:
    """The service with its organisation's zone, and each candidate professional with the
    versions of their schedule over the range's dates: one row per professional, or one
    row without a professional when there is none (so a missing service has no row)."""
    services, organisations = Service.__table__.c, Organisation.__table__.c
    pros = Professional.__table__.c
    links = service_professionals.c
    feeds = CalendarFeed.__table__.c
    candidates = and_(pros.id == links.professional_id, pros.active.is_(True))
    if one_professional:
        candidates = and_(candidates, pros.id == bindparam("professional_id"))
    team = service_professionals.join(Professional.__table__, candidates)
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
            pros.languages,
            pros.schedule_version,
            schedule_versions.day_counter_sum(pros.id),
            exists().where(feeds.professional_id == pros.id),
        )
        .select_from(
            Service.__table__.join(
                Organisation.__table__, organisations.id == services.organisation_id
            ).outerjoin(team, links.service_id == services.id)
        )
        .where(services.id == bindparam("service_id"))
        .order_by(pros.id)
    )


@dataclass(frozen=True, slots=True)
class Search:
    """What a slot search needs to know before any free time is looked up."""

    rules: ServiceRules
    # The candidate professionals (those of ``scheduler.availability.slots.candidates``) with their
    # schedule versions for the range.
    versions: dict[int, slot_cache.Versions]


def prepare(
    service_id: int,
    first: date,
    last: date,
    professional_id: int | None = None,
    language: str | None = None,
) -> Search | None:
    """The service's rules and its candidates' schedule versions in one query, or None
    when there is no such service.

    ``first`` and ``last`` bound the local dates searched (the zone is not known before
    the query); the day counters are summed over the UTC dates three days around them,
    which covers ``VERSION_MARGIN`` in any zone.
    """
    first_day, last_day = first - _AROUND, last + _AROUND
    rows = _read(
        _search_query(professional_id is not None),
        {
            "service_id": service_id,
            "first_day": first_day,
            "last_day": last_day,
            "professional_id": professional_id,
        },
    )
    if not rows:
        return None
    row = rows[0]
    params = service_params(row)
    rules = ServiceRules(service_id, _zone(row.timezone), params, bool(row.bookable))
    team = [tuple(row)[-5:] for row in rows if row.id is not None]
    chosen = offering([(pid, languages, feed) for pid, languages, _v, _s, feed in team], language)
    found = {pid: (int(version), int(summed)) for pid, _l, version, summed, _f in team}
    versions = {pid: found[pid] for pid in chosen}
    if load_margin(params) > VERSION_MARGIN:
        # Longer than the editors allow; the three days above would not cover it.
        zone = rules.zone
        window = version_window(
            rules,
            local_instant(first, time(0), zone),
            local_instant(last + timedelta(days=1), time(0), zone),
        )
        versions = schedule_versions.versions(list(versions), *window)
    return Search(rules, versions)


_AROUND = timedelta(days=3)


def _read(statement: Select[Any], values: dict[str, Any]) -> Sequence[Any]:
    """Run the search's one read; rows with the columns as attributes.

    On PostgreSQL it runs outside the request's transaction, in autocommit: a search
    changes nothing, and a transaction of its own would cost two more round trips (BEGIN
    and COMMIT) on the busiest request of the service. SQLite reads in the session, whose
    transactions its locking relies on.
    """
    if db.engine.dialect.name != "postgresql":
        return list(db.session.connection().execute(statement, values).all())
    return _read_postgresql(statement, values)


@functools.cache
def _postgresql_text(statement: Select[Any]) -> tuple[str, dict[str, Any]]:
    """The statement as psycopg's SQL, with the values it binds itself (compiled once)."""
    compiled = statement.compile(dialect=db.engine.dialect)
    return compiled.string, dict(compiled.params)


def _read_postgresql(statement: Select[Any], values: dict[str, Any]) -> Sequence[Any]:
    """The read on a pooled connection's psycopg connection itself: SQLAlchemy's own
    execution (its statement cache, result objects, isolation-level switch) cost about as
    much as the query. The pool's checkout still checks a connection that sat idle, and a
    failure is raised as SQLAlchemy raises it (``DBAPIError``: a 503 to retry), a lost
    connection leaving the pool. No SQLAlchemy execution event sees this statement."""
    sql, bound = _postgresql_text(statement)
    try:
        pooled = db.engine.raw_connection()
    except psycopg.Error as exc:  # no connection to be had (a pool's own connect)
        raise DBAPIError.instance(sql, values, exc, psycopg.Error) from exc
    driver: Any = pooled.driver_connection
    try:
        driver.autocommit = True
        try:
            with driver.cursor(row_factory=namedtuple_row) as cursor:
                cursor.execute(sql, {**bound, **values})
                rows: Sequence[Any] = cursor.fetchall()
        finally:
            driver.autocommit = False
    except psycopg.Error as exc:
        error: Any = exc
        lost = db.engine.dialect.is_disconnect(error, driver, None)
        if lost:
            pooled.invalidate(exc)
        raise DBAPIError.instance(
            sql, values, exc, psycopg.Error, connection_invalidated=lost
        ) from exc
    finally:
        pooled.close()
    return rows


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@timed_slot_search
def search_json(
    search: Search, range_start: datetime, range_end: datetime, now: datetime
) -> list[str]:
    """The JSON pieces of the free slots of a search (see ``slot_cache.answer``)."""
    rules = search.rules
    if not rules.bookable:
        return []
    _starts, pieces = slot_cache.answer(
        rules,
        search.versions,
        range_start,
        range_end,
        now,
        loader(rules),
    )
    return pieces
