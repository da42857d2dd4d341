"""Find a time over a unit: who can see this family, from this day on, in this part of
the day, language and meeting mode. One search per service over the unit's workers, through
the same free-times entry point as the families' search (``free_times``); team times are
listed once per worker of the first pool, with the team that would meet the family."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from scheduler.availability.free import Ask, free_times
from scheduler.availability.team import pick
from scheduler.extensions import db
from scheduler.kernel import local_date, local_instant
from scheduler.models import Professional, Service

# Parts of the day, as local wall-clock hours [from, until).
PARTS = {"any": (0, 24), "morning": (8, 12), "afternoon": (12, 16), "evening": (16, 21)}
# How many days one search covers: the day chosen, or the week from it.
SPANS = {"day": 1, "week": 7}


@dataclass(frozen=True)
class Found:
    start: datetime
    service: Service
    professional: Professional
    may_book: bool  # the user reaches this worker (own time, or a unit administrator)
    day: date  # the local date of ``start``
    # A team service: the workers who would meet the family with ``professional``.
    team: tuple[Professional, ...] = ()


def find_times(
    services: list[Service],
    day: date,
    part: str,
    language: str | None,
    mode: str | None,
    now: datetime,
    reachable: Collection[int],
    days: int = 1,
) -> list[Found]:
    """Free times from ``day`` on for ``days`` days in ``part`` of each day, of workers who
    speak ``language``, of services met in ``mode``: earliest first. ``may_book`` says
    whether the worker is among ``reachable`` (the ids the asking user may book for). One
    search per service, read outside the request's transaction (it changes nothing); the
    workers found are then read in one query."""
    first, last = PARTS[part]
    times: list[tuple[datetime, Service, int, tuple[int, ...]]] = []
    for service in services:
        if mode and mode not in service.meeting_modes:
            continue
        zone = service.organisation.zone
        start = local_instant(day, time(first), zone)
        end = local_instant(day + timedelta(days=days), time(0), zone)
        answer = free_times(
            Ask(
                service.id,
                start,
                end,
                language=language or None,
                now=now,
                online_only=False,
                detached=True,
            )
        )
        pools = answer.pools if answer is not None else ()
        for slot in answer.slots() if answer is not None else ():
            if not first <= slot.start.astimezone(zone).hour < last:
                continue
            for pid in slot.worker_ids:
                if not pools:
                    times.append((slot.start, service, pid, ()))
                    continue
                # A team time is offered once per worker of the first pool, with a team.
                chosen = pick(((pid,), *pools[1:]), slot.worker_ids) if pid in pools[0] else None
                if chosen is not None:
                    times.append((slot.start, service, pid, tuple(chosen[1:])))
    ids = {pid for _s, _service, pid, _team in times} | {
        other for *_rest, team in times for other in team
    }
    pros = {
        pro.id: pro
        for pro in db.session.scalars(select(Professional).where(Professional.id.in_(ids)))
    }
    found = [
        Found(
            start,
            service,
            pros[pid],
            pid in reachable,
            local_date(start, service.organisation.zone),
            tuple(pros[other] for other in team),
        )
        for start, service, pid, team in times
    ]
    found.sort(key=lambda f: (f.start, f.professional.name, f.service.id))
    return found
