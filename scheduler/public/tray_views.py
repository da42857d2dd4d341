"""The service tray and a service's week of free times; choosing a time holds it."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from scheduler import booking as ops
from scheduler.availability import candidates
from scheduler.extensions import configured_limit, db, limiter
from scheduler.kernel import Problem, now_utc
from scheduler.models import Organisation, Service
from scheduler.public import identification
from scheduler.public.blueprint import bp, default_org_slug, get_organisation, public_limit
from scheduler.public.texts import CATEGORIES, category_name, problem_text
from scheduler.public.week import build_week, parse_choice
from scheduler.web.input import parse_instant


def get_service(org: Organisation, service_slug: str) -> Service:
    service = db.session.scalar(
        select(Service).where(
            Service.organisation_id == org.id,
            Service.slug == service_slug,
            Service.bookable.is_(True),
        )
    )
    if service is None:
        raise Problem(404, "service_not_found", "No such service.")
    return service


def tray_groups(org: Organisation) -> list[tuple[str, list[Service]]]:
    """The organisation's bookable services grouped by the need they meet."""
    services = db.session.scalars(
        select(Service)
        .where(Service.organisation_id == org.id, Service.bookable.is_(True))
        .order_by(Service.id)
    )
    order = list(CATEGORIES)
    groups: dict[str, list[Service]] = {}
    for service in services:
        groups.setdefault(service.category, []).append(service)
    keys = sorted(groups, key=lambda c: (order.index(c) if c in order else len(order), c))
    return [(category_name(key), groups[key]) for key in keys]


@bp.get("/")
def home() -> ResponseReturnValue:
    """The default organisation's service tray."""
    return tray(default_org_slug())


@bp.get("/o/<org_slug>/")
def tray(org_slug: str) -> ResponseReturnValue:
    org = get_organisation(org_slug)
    return render_template(
        "public/tray.html",
        org=org,
        groups=tray_groups(org),
        identification_available=identification.available(),
    )


def bookable_online(service: Service) -> bool:
    """False when the service needs strong identification and there is none to be had:
    the family is told so before it holds a time, never after."""
    return not service.requires_strong_id or identification.available()


@bp.get("/o/<org_slug>/s/<service_slug>")
@limiter.limit(configured_limit("RATELIMIT_PAGES"))
def service_page(org_slug: str, service_slug: str) -> ResponseReturnValue:
    org = get_organisation(org_slug)
    service = get_service(org, service_slug)
    everyone = candidates.team(service)
    choice = parse_choice(request.args, service, everyone)
    online = bookable_online(service)
    week = build_week(service, choice, now_utc(), online)
    languages = sorted({lang for p in everyone for lang in (p.languages or [])})

    def week_url(monday: date, **override: object) -> str:
        """The week's address; it comes back to the free times, not the top of the page."""
        return (
            url_for(
                "public.service_page",
                org_slug=org.slug,
                service_slug=service.slug,
                **choice.args(**override, week=monday.isoformat()),
            )
            + "#free-times"
        )

    return render_template(
        "public/service.html",
        org=org,
        service=service,
        choice=choice,
        week=week,
        workers=everyone,
        asked_worker=next((p for p in everyone if p.id == choice.worker), None),
        languages=languages,
        week_url=week_url,
        bookable_online=online,
        hold_url=url_for("public.hold_time", org_slug=org.slug, service_slug=service.slug),
    )


@bp.post("/o/<org_slug>/s/<service_slug>/hold")
@limiter.limit(public_limit)
def hold_time(org_slug: str, service_slug: str) -> ResponseReturnValue:
    """Hold the chosen time, then go to the form. A taken time sends the family back."""
    org = get_organisation(org_slug)
    service = get_service(org, service_slug)
    choice = parse_choice(request.form, service, candidates.team(service))
    back = url_for(
        "public.service_page", org_slug=org.slug, service_slug=service.slug, **choice.args()
    )
    if not bookable_online(service):
        flash(problem_text("identification_unavailable", ""), "error")
        return redirect(back, 303)
    if choice.unknown:  # never "any worker" in its place: the week view says so
        return redirect(back, 303)
    start = parse_instant(request.form.get("start"))
    if start is None:  # the page's buttons send only good times: the form was tampered with
        raise Problem(400, "bad_request", problem_text("bad_request", ""))
    try:
        _booking, token = ops.hold(service, start, choice.worker, choice.speaks, choice.mode)
    except Problem as exc:
        if exc.status >= 500:
            raise
        flash(problem_text(exc.code, exc.message), "error")
        return redirect(back, 303)
    return redirect(url_for("public.book", token=token), 303)
