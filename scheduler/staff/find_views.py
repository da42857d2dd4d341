"""Find a time: who in my unit can see this family, on this day and part of the day, in
this language and meeting mode. One search per service over the unit's workers, through
the same free-times entry point as the families' search (``availability.free_times``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from scheduler.availability import Ask, free_times
from scheduler.availability.team import pick
from scheduler.extensions import db
from scheduler.kernel import Problem, local_date, local_instant, now_utc
from scheduler.models import Professional, Service, StaffRole
from scheduler.staff import texts
from scheduler.staff.access import professionals_query
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.desk_forms import FindForm
from scheduler.staff.forms import one_of
from scheduler.web.input import parse_day

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


def unit_services() -> list[Service]:
    """The bookable services of the user's unit (the organisation's, for its administrator)."""
    user = current_user()
    query = select(Service).where(Service.organisation_id == user.organisation_id)
    if user.role != StaffRole.ORG_ADMIN.value:
        query = query.where(Service.unit_id == user.unit_id)
    return list(db.session.scalars(query.order_by(Service.id)))


def find_times(
    services: list[Service],
    day: date,
    part: str,
    language: str | None,
    mode: str | None,
    now: datetime,
    days: int = 1,
) -> list[Found]:
    """Free times from ``day`` on for ``days`` days in ``part`` of each day, of workers who
    speak ``language``, of services met in ``mode``: earliest first. One search per service,
    read outside the request's transaction (it changes nothing); the workers found are then
    read in one query."""
    reachable = set(db.session.scalars(professionals_query().with_only_columns(Professional.id)))
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


@bp.get("/find")
def find_a_time() -> ResponseReturnValue:
    """The search form and, once asked, the free times in one list."""
    services = unit_services()
    form = FindForm(request.args)
    zone = current_user().organisation.zone
    today = local_date(now_utc(), zone)
    results: list[Found] | None = None
    day = today
    if request.args:
        form.check({"part": [one_of(PARTS)]})
        raw_day = form.date.data or ""
        chosen_day = parse_day(raw_day) if raw_day else today
        if chosen_day is None:
            form.problems["date"] = _("The date is not valid.")
        else:
            day = chosen_day
        raw_service = form.service.data or ""
        chosen = [s for s in services if not raw_service or str(s.id) == raw_service]
        if raw_service and not chosen:
            form.problems["service"] = _("Choose among the options.")
        if not form.problems:
            results = find_times(
                chosen,
                max(day, today),
                form.part.data,
                form.language.data,
                form.mode.data,
                now_utc(),
                SPANS[form.span.data],
            )
    if form.problems:
        raise Problem(422, "invalid_input", next(iter(form.problems.values())), form.problems)
    return render_template(
        "staff/find.html",
        services=services,
        results=results,
        day=max(day, today),
        last_day=max(day, today) + timedelta(days=SPANS[form.span.data] - 1),
        form=request.args,
        parts=PARTS,
        zone=zone,
        texts=texts,
        lang=g.lang,
    )
