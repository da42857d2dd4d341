"""Public holidays and closures as closed times of each worker, for the free-times loading.

The loading layer (``standing.load``) asks ``closed_times`` for the workers it loads: a
closure of the organisation or of the worker's unit closes every service; a public holiday
of the organisation's region closes every service but those that stay open on holidays (an
on-call service, or every service of an on-call unit). To the pure computation both are
absences, so they remove free times from every search that uses the one entry point: the
families', the staff's, the editor's preview and the access figures.

A change of a closure, of the organisation's holiday region or of an on-call setting bumps
the ``schedule_version`` of every worker it reaches, in the same flush (``register``), so
cached free times are never served past it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session, UOWTransaction, attributes

from scheduler.availability import compute
from scheduler.availability.holidays import holiday_dates
from scheduler.availability.versions import touch_professionals
from scheduler.extensions import db
from scheduler.kernel import Problem, among_sql, day_bounds, local_date, local_instant, overlaps_sql
from scheduler.models import (
    ACTIVE_STATUSES,
    Booking,
    Closure,
    Organisation,
    Professional,
    Service,
    Unit,
)
from scheduler.models import service_professionals as links

# Years of holidays a cached schedule covers beyond the year it starts in: a booking
# horizon is at most a year, and a cached schedule is refreshed twice a day.
_YEARS_AHEAD = 2


@dataclass(frozen=True, slots=True)
class ClosedTimes:
    """One worker's closed times: closures close every service, holidays all but the
    services in ``open_services``."""

    closures: tuple[compute.Interval, ...] = ()
    holidays: tuple[compute.Interval, ...] = ()
    open_services: frozenset[int] = frozenset()


NOTHING_CLOSED = ClosedTimes()


def closure_span(closure: Closure, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants a closure covers: its local day, or the part of it that it names."""
    day_start, day_end = day_bounds(closure.day, zone)
    start = (
        day_start
        if closure.start_time is None
        else local_instant(closure.day, closure.start_time, zone)
    )
    end = (
        day_end if closure.end_time is None else local_instant(closure.day, closure.end_time, zone)
    )
    return start, end


_SPANS: dict[tuple[str, str, int], tuple[compute.Interval, ...]] = {}


def _holiday_spans(
    zone: ZoneInfo, region: str | None, first_year: int
) -> tuple[compute.Interval, ...]:
    """The local days of the public holidays from ``first_year`` on, as UTC intervals."""
    key = (zone.key, region or "", first_year)
    found = _SPANS.get(key)
    if found is None:
        found = tuple(
            compute.Interval(*day_bounds(day, zone))
            for day in holiday_dates(region, first_year, first_year + _YEARS_AHEAD)
        )
        _SPANS[key] = found
    return found


def closed_times(connection: Any, ids: Sequence[int], since: datetime) -> dict[int, ClosedTimes]:
    """The closed times of the workers ``ids`` that end after ``since``."""
    if not ids:
        return {}
    pros, units, orgs = Professional.__table__.c, Unit.__table__.c, Organisation.__table__.c
    workers = connection.execute(
        select(
            pros.id,
            pros.organisation_id,
            pros.unit_id,
            units.open_on_holidays,
            orgs.timezone,
            orgs.holiday_region,
        )
        .join_from(Professional.__table__, Unit.__table__, units.id == pros.unit_id)
        .join(Organisation.__table__, orgs.id == pros.organisation_id)
        .where(among_sql(pros.id, ids, connection.dialect.name))
    ).all()
    org_ids = sorted({row[1] for row in workers})
    zones = {row[1]: ZoneInfo(row[4]) for row in workers}
    first_day = since.date() - timedelta(days=1)
    by_scope: dict[tuple[int, int | None], list[compute.Interval]] = defaultdict(list)
    closure_table = Closure.__table__.c
    for org_id, unit_id, day, start_time, end_time in connection.execute(
        select(
            closure_table.organisation_id,
            closure_table.unit_id,
            closure_table.day,
            closure_table.start_time,
            closure_table.end_time,
        ).where(closure_table.organisation_id.in_(org_ids), closure_table.day >= first_day)
    ):
        span = Closure(day=day, start_time=start_time, end_time=end_time)
        by_scope[(org_id, unit_id)].append(compute.Interval(*closure_span(span, zones[org_id])))
    open_services: dict[int, set[int]] = defaultdict(set)
    services = Service.__table__.c
    for pid, service_id in connection.execute(
        select(links.c.professional_id, links.c.service_id)
        .join(Service.__table__, services.id == links.c.service_id)
        .where(
            among_sql(links.c.professional_id, ids, connection.dialect.name),
            services.open_on_holidays.is_(True),
        )
    ):
        open_services[pid].add(service_id)
    found = {}
    for pid, org_id, unit_id, unit_open, _timezone, region in workers:
        closures = tuple(by_scope[(org_id, None)]) + tuple(by_scope[(org_id, unit_id)])
        holidays = () if unit_open else _holiday_spans(zones[org_id], region, since.year)
        found[pid] = ClosedTimes(closures, holidays, frozenset(open_services[pid]))
    return found


def closed_for(
    closed: ClosedTimes, service_id: int, lo_us: int, hi_us: int
) -> tuple[compute.Interval, ...]:
    """The closed times that apply to ``service_id`` and overlap ``[lo_us, hi_us)``."""
    spans = closed.closures
    if service_id not in closed.open_services:
        spans = spans + closed.holidays
    return tuple(span for span in spans if span.start_us < hi_us and span.end_us > lo_us)


# --- keeping cached free times right -------------------------------------------------


def _before(obj: Any, name: str) -> Any:
    history = attributes.get_history(obj, name, passive=attributes.PASSIVE_NO_INITIALIZE)
    if history.deleted:
        return history.deleted[0]
    return getattr(obj, name)


def _modified(obj: Any, name: str) -> bool:
    history = attributes.get_history(obj, name, passive=attributes.PASSIVE_NO_INITIALIZE)
    return bool(history.deleted or history.added)


def reached_professionals(
    session: Session,
    organisation_ids: Iterable[int] = (),
    unit_ids: Iterable[int] = (),
    service_ids: Iterable[int] = (),
) -> list[int]:
    """The workers of these organisations, units and services."""
    orgs, units, services = set(organisation_ids), set(unit_ids), set(service_ids)
    if not (orgs or units or services):
        return []
    pros = Professional.__table__.c
    reach = []
    if orgs:
        reach.append(pros.organisation_id.in_(sorted(orgs)))
    if units:
        reach.append(pros.unit_id.in_(sorted(units)))
    if services:
        reach.append(
            pros.id.in_(
                select(links.c.professional_id).where(links.c.service_id.in_(sorted(services)))
            )
        )
    return list(session.connection().execute(select(pros.id).where(or_(*reach))).scalars())


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    orgs: set[int] = set()
    units: set[int] = set()
    services: set[int] = set()
    workers: set[int] = set()
    new = session.new
    for obj in [*new, *session.dirty, *session.deleted]:
        if isinstance(obj, Closure):
            for unit_id, org_id in (
                (obj.unit_id, obj.organisation_id),
                (_before(obj, "unit_id"), _before(obj, "organisation_id")),
            ):
                if unit_id is None:
                    orgs.add(org_id)
                else:
                    units.add(unit_id)
        elif isinstance(obj, Service) and (
            _modified(obj, "open_on_holidays")
            or (obj.open_on_holidays and (obj in new or _modified(obj, "professionals")))
        ):
            # Linking a worker to an on-call service changes what the worker's holidays close.
            services.add(obj.id)
        elif obj in new:
            continue
        elif isinstance(obj, Organisation) and _modified(obj, "holiday_region"):
            orgs.add(obj.id)
        elif isinstance(obj, Unit) and _modified(obj, "open_on_holidays"):
            units.add(obj.id)
        elif isinstance(obj, Professional) and (
            _modified(obj, "services") or _modified(obj, "unit_id")
        ):
            workers.add(obj.id)
    if orgs or units or services:
        workers.update(reached_professionals(session, orgs, units, services))
    touch_professionals(session, workers)


def register() -> None:
    """Attach the listener to the application's sessions (once)."""
    if not event.contains(FlaskSession, "after_flush", _after_flush):
        event.listen(FlaskSession, "after_flush", _after_flush)


# --- what administrators do ------------------------------------------------------------


def add_closure(
    organisation: Organisation,
    unit: Unit | None,
    day: date,
    start_time: time | None,
    end_time: time | None,
    reason: dict[str, str],
    actor: str | None,
    now: datetime,
) -> Closure:
    """Close the organisation or one unit for a local day or part of it (flushes).

    Refuses, changing nothing, a day already past or a part of a day that ends before it
    starts.
    """
    if unit is not None and unit.organisation_id != organisation.id:
        raise ValueError("the unit belongs to another organisation")
    if day < local_date(now, organisation.zone):
        raise Problem(422, "closure_in_past", _("A closure must be today or later."))
    if start_time is not None and end_time is not None and not start_time < end_time:
        raise Problem(422, "closure_times", _("The closure must end after it starts."))
    closure = Closure(
        organisation_id=organisation.id,
        unit_id=unit.id if unit is not None else None,
        day=day,
        start_time=start_time,
        end_time=end_time,
        reason=reason,
        created_at=now,
        created_by=actor,
    )
    db.session.add(closure)
    db.session.flush()
    return closure


def remove_closure(closure: Closure) -> None:
    """Open the closed time again (flushes)."""
    db.session.delete(closure)
    db.session.flush()


def bookings_during(closure: Closure) -> list[Booking]:
    """The active bookings that fall on the closure, earliest first: to move or cancel."""
    start, end = closure_span(closure, closure_zone(closure))
    pros = Professional.__table__.c
    reach = select(pros.id).where(pros.organisation_id == closure.organisation_id)
    if closure.unit_id is not None:
        reach = reach.where(pros.unit_id == closure.unit_id)
    return list(
        db.session.scalars(
            select(Booking)
            .where(
                Booking.professional_id.in_(reach),
                Booking.status.in_(ACTIVE_STATUSES),
                overlaps_sql(Booking.start_at, Booking.end_at, start, end),
            )
            .order_by(Booking.start_at, Booking.id)
        )
    )


def closure_zone(closure: Closure) -> ZoneInfo:
    organisation = db.session.get(Organisation, closure.organisation_id)
    assert organisation is not None
    return organisation.zone
