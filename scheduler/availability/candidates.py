"""Who may take a booking of a service: every active worker linked to it, a named one, or
those who speak the family's language, leaving out those whose times are withheld for a
stale calendar feed (``withheld``). Chosen here and nowhere else."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    bindparam,
    exists,
    func,
    select,
)

from scheduler.availability.withheld import withheld_professionals
from scheduler.extensions import db
from scheduler.kernel import UTCDateTime, day_bounds, local_date
from scheduler.models import (
    ACTIVE_STATUSES,
    Booking,
    CalendarFeed,
    Professional,
    Service,
    service_professionals,
)


def candidates(
    service: Service, professional_id: int | None = None, language: str | None = None
) -> list[Professional]:
    """The professionals who may take a booking of ``service``: any, a named one, or by language."""
    query = (
        select(Professional)
        .join(Professional.services)
        .where(Service.id == service.id, Professional.active.is_(True))
        .order_by(Professional.id)
    )
    if professional_id is not None:
        query = query.where(Professional.id == professional_id)
    pros = list(db.session.scalars(query))
    if language:
        pros = [p for p in pros if language in (p.languages or [])]
    withheld = withheld_professionals([p.id for p in pros])
    return [p for p in pros if p.id not in withheld]


@functools.cache
def _hold_candidates_query(one_professional: bool) -> Select[Any]:
    pros = Professional.__table__.c
    links = service_professionals.c
    feeds = CalendarFeed.__table__.c
    bookings = Booking.__table__.c
    that_day = (
        select(func.count())
        .where(
            bookings.professional_id == pros.id,
            bookings.start_at >= bindparam("day_start", type_=UTCDateTime),
            bookings.start_at < bindparam("day_end", type_=UTCDateTime),
            bookings.status.in_(ACTIVE_STATUSES),
        )
        .scalar_subquery()
    )
    query = (
        select(pros.id, pros.languages, exists().where(feeds.professional_id == pros.id), that_day)
        .join_from(Professional.__table__, service_professionals, links.professional_id == pros.id)
        .where(links.service_id == bindparam("service_id"), pros.active.is_(True))
    )
    if one_professional:
        query = query.where(pros.id == bindparam("professional_id"))
    return query


def hold_candidates(
    service: Service,
    start: datetime,
    professional_id: int | None = None,
    language: str | None = None,
) -> list[int]:
    """The professionals of ``candidates`` as ids, the least booked on the local date of
    ``start`` first (to share the load of "any worker"), in one query."""
    zone = service.organisation.zone
    day_start, day_end = day_bounds(local_date(start, zone), zone)
    rows = (
        db.session.connection()
        .execute(
            _hold_candidates_query(professional_id is not None),
            {
                "service_id": service.id,
                "day_start": day_start,
                "day_end": day_end,
                "professional_id": professional_id,
            },
        )
        .all()
    )
    booked = {pid: count for pid, _languages, _feed, count in rows}
    chosen = offering([(pid, languages, feed) for pid, languages, feed, _count in rows], language)
    return sorted(chosen, key=lambda pid: (booked[pid], pid))


def offering(
    rows: Iterable[tuple[int, Sequence[str] | None, bool]], language: str | None
) -> list[int]:
    """Of candidates given as ``(id, languages, has a calendar feed)``, the ids of those
    who speak ``language`` (when one is asked for) and whose times are not withheld for a
    stale calendar feed: the filters of ``candidates`` on plain rows."""
    speaking = [
        (pid, has_feed)
        for pid, languages, has_feed in rows
        if not language or language in (languages or ())
    ]
    with_feed = [pid for pid, has_feed in speaking if has_feed]
    withheld: set[int] = set()
    if with_feed:
        withheld = withheld_professionals(with_feed)
    return [pid for pid, _has_feed in speaking if pid not in withheld]
