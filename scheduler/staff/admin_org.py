"""Administration of the organisation itself and its units."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from scheduler.booking.contact import normalise_phone
from scheduler.extensions import db
from scheduler.ical.manage import troubled_feeds
from scheduler.kernel import Problem
from scheduler.models import Organisation, StaffRole, Unit
from scheduler.staff import texts
from scheduler.staff.access import (
    ADMINS,
    forbidden,
    require_role,
    unit_or_404,
    units_query,
    visible_professionals,
)
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.forms import STALE_POLICIES, OrganisationForm, UnitForm, texts_of


@bp.get("/admin")
@require_role(*ADMINS)
def admin_home() -> ResponseReturnValue:
    """The administration front page: links to each part, and the calendars in trouble."""
    return render_template(
        "staff/admin_home.html",
        troubled=troubled_feeds(visible_professionals(), g.lang),
        zone=current_user().organisation.zone,
    )


@bp.route("/admin/organisation", methods=["GET", "POST"])
@require_role(StaffRole.ORG_ADMIN)
def admin_organisation() -> ResponseReturnValue:
    """Names, time zone, languages, sender address and the organisation-wide rules."""
    org = current_user().organisation
    form = OrganisationForm(request.form)
    if request.method == "POST":
        timezone = form.timezone.value or ""
        form.check()
        if timezone and timezone not in available_timezones():
            form.problems["timezone"] = _("Choose a time zone such as Europe/Helsinki.")
        if not form.problems:
            org.holiday_region = form.holiday_region.data or None
            org.name = texts_of(form.name)
            org.timezone = timezone
            org.languages = [code for code in form.languages.data or [] if code]
            org.email_from = form.email_from.value
            org.settings = {
                **(org.settings or {}),
                "sms_quiet_hours": [form.quiet_start.data, form.quiet_end.data],
                "sms_may_name_sensitive_services": form.name_sensitive.data,
                "calendar_feed_stale_policy": form.stale_policy.data,
            }
            db.session.flush()
            flash(_("The organisation's settings were saved."))
            return redirect(url_for("staff.admin_organisation"))
    return render_template(
        "staff/admin_organisation.html",
        org=org,
        form=request.form if request.method == "POST" else organisation_values(org),
        errors=form.problems,
        texts=texts,
        policies=STALE_POLICIES,
    ), (422 if form.problems else 200)


def organisation_values(org: Organisation) -> MultiDict[str, Any]:
    """The form's fields filled from the saved organisation."""
    settings = org.settings or {}
    quiet = settings.get("sms_quiet_hours") or [21, 8]
    values: MultiDict[str, Any] = MultiDict(
        {
            "timezone": org.timezone,
            "email_from": org.email_from or "",
            "quiet_start": quiet[0],
            "quiet_end": quiet[1],
            "stale_policy": settings.get("calendar_feed_stale_policy") or "withhold",
            "holiday_region": org.holiday_region or "",
        }
    )
    for lang, text in (org.name or {}).items():
        values[f"name-{lang}"] = text
    values.setlist("languages", list(org.languages or []))
    if settings.get("sms_may_name_sensitive_services"):
        values["name_sensitive"] = "1"
    return values


@bp.route("/admin/units", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_units() -> ResponseReturnValue:
    """The units; an organisation administrator adds new ones."""
    form = UnitForm(request.form)
    if request.method == "POST":
        if not current_user().is_org_admin:
            raise forbidden()
        if form.check():
            name = texts_of(form.name)
            db.session.add(Unit(organisation_id=current_user().organisation_id, name=name))
            db.session.flush()
            flash(_("The unit was added."))
            return redirect(url_for("staff.admin_units"))
    units = list(db.session.scalars(units_query()))
    return render_template(
        "staff/admin_units.html", units=units, errors=form.problems, form=request.form
    ), (422 if form.problems else 200)


@bp.route("/admin/units/<id:unit_id>", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_unit(unit_id: int) -> ResponseReturnValue:
    """A unit's names, how families reach it by phone (in all three languages), and
    whether it stays open on public holidays."""
    unit = unit_or_404(unit_id)
    form = UnitForm(request.form)
    if request.method == "POST":
        form.check()
        phone = unit_phone(form)
        if not form.problems:
            unit.name = texts_of(form.name)
            unit.phone, unit.phone_hours = phone, texts_of(form.phone_hours) or None
            unit.open_on_holidays = form.open_on_holidays.data
            db.session.flush()
            flash(_("The unit was saved."))
            return redirect(url_for("staff.admin_units"))
    return render_template(
        "staff/admin_unit.html",
        unit=unit,
        errors=form.problems,
        form=request.form if request.method == "POST" else unit_values(unit),
    ), (422 if form.problems else 200)


def unit_phone(form: UnitForm) -> str | None:
    """The unit's phone number in E.164, or None; a number that is not one is an error."""
    raw = form.phone.value
    if raw is None:
        return None
    try:
        return normalise_phone(raw)
    except Problem:
        form.problems["phone"] = _("Write a phone number, such as 016 123 4567.")
        return None


def unit_values(unit: Unit) -> MultiDict[str, Any]:
    """The unit form's fields filled from the saved unit."""
    values: MultiDict[str, Any] = MultiDict({"phone": unit.phone or ""})
    for lang, text in (unit.name or {}).items():
        values[f"name-{lang}"] = text
    for lang, text in (unit.phone_hours or {}).items():
        values[f"phone_hours-{lang}"] = text
    if unit.open_on_holidays:
        values["open_on_holidays"] = "1"
    return values
