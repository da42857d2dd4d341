"""Holidays and closures: the public holidays that apply, and the closure days and half
days an administrator sets for the organisation or a unit, with the bookings on them."""

from __future__ import annotations

from datetime import date, time

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from scheduler.availability import closures
from scheduler.availability.holidays import named_holidays
from scheduler.extensions import db
from scheduler.kernel import Problem, local_date, now_utc
from scheduler.models import Closure, Unit
from scheduler.staff.access import ADMINS, forbidden, not_found, require_role, units_query
from scheduler.staff.agenda import log_read
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.desk_forms import ClosureForm
from scheduler.staff.forms import one_of, texts_of
from scheduler.web.i18n import localized
from scheduler.web.input import parse_clock, parse_date, parse_id

ORGANISATION = "organisation"


def _closure_or_404(closure_id: int, changing: bool = False) -> Closure:
    """A closure the user may see: the organisation's, or (a unit administrator) their
    unit's. Only an organisation administrator changes the organisation-wide ones."""
    closure = db.session.get(Closure, closure_id)
    user = current_user()
    if closure is None or closure.organisation_id != user.organisation_id:
        raise not_found()
    if not user.is_org_admin and closure.unit_id not in (
        (user.unit_id,) if changing else (None, user.unit_id)
    ):
        raise forbidden()
    return closure


def _read_time(form: ClosureForm, name: str) -> time | None:
    raw = (form[name].data or "").strip()
    if not raw:
        return None
    clock = parse_clock(raw)
    if clock is None:
        form.problems[name] = _("Write a time such as 12.00.")
    return clock


def _read_day(form: ClosureForm, name: str) -> date | None:
    """A date as the date input sends it (2026-12-24) or as Finns write it (24.12.2026)."""
    day = parse_date(form[name].data or "")
    if day is None:
        form.problems[name] = _("Write a date such as 24.12.2026.")
    return day


@bp.route("/admin/closures", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_closures() -> ResponseReturnValue:
    """The public holidays of this year and the next, the coming closures and a form to add one."""
    user = current_user()
    org = user.organisation
    units = list(db.session.scalars(units_query()))
    scopes = ([(ORGANISATION, _("The whole organisation"))] if user.is_org_admin else []) + [
        (str(unit.id), localized(unit.name, g.lang)) for unit in units
    ]
    form = ClosureForm(request.form)
    today = local_date(now_utc(), org.zone)
    if request.method == "POST":
        form.check({"scope": [one_of([value for value, _label in scopes])]})
        scope = form.scope.data or ""
        day = _read_day(form, "day")
        start_time, end_time = _read_time(form, "start_time"), _read_time(form, "end_time")
        reason = texts_of(form.reason)
        unit_id = parse_id(scope)  # None for the whole organisation
        unit = None if unit_id is None else db.session.get(Unit, unit_id)
        if not form.problems and day is not None:
            try:
                closure = closures.add_closure(
                    org, unit, day, start_time, end_time, reason, g.actor, now_utc()
                )
            except Problem as problem:
                form.problems["day" if problem.code == "closure_in_past" else "end_time"] = (
                    problem.message
                )
            else:
                flash(_("The closure was added. Its free times are gone."))
                return redirect(url_for("staff.admin_closure", closure_id=closure.id))
    coming = select(Closure).where(Closure.organisation_id == org.id, Closure.day >= today)
    if not user.is_org_admin:
        coming = coming.where((Closure.unit_id.is_(None)) | (Closure.unit_id == user.unit_id))
    return render_template(
        "staff/admin_closures.html",
        holidays=[
            (year, named_holidays(org.holiday_region, year, g.lang))
            for year in (today.year, today.year + 1)
        ],
        closures=list(db.session.scalars(coming.order_by(Closure.day, Closure.id))),
        units={unit.id: unit for unit in units},
        scopes=scopes,
        form=request.form,
        errors=form.problems,
    ), (422 if form.problems else 200)


@bp.get("/admin/closures/<id:closure_id>")
@require_role(*ADMINS)
def admin_closure(closure_id: int) -> ResponseReturnValue:
    """One closure and the bookings that fall on it, to move or cancel."""
    closure = _closure_or_404(closure_id)
    bookings = closures.bookings_during(closure)
    for booking in bookings:
        log_read(booking, "closure.bookings_read")
    return render_template(
        "staff/admin_closure.html",
        closure=closure,
        unit=db.session.get(Unit, closure.unit_id) if closure.unit_id else None,
        bookings=bookings,
        zone=current_user().organisation.zone,
        may_remove=current_user().is_org_admin or closure.unit_id == current_user().unit_id,
    )


@bp.post("/admin/closures/<id:closure_id>/remove")
@require_role(*ADMINS)
def admin_closure_remove(closure_id: int) -> ResponseReturnValue:
    """Open the closed time again."""
    closures.remove_closure(_closure_or_404(closure_id, changing=True))
    flash(_("The closure was removed."))
    return redirect(url_for("staff.admin_closures"))
