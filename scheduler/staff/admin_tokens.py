"""API tokens: an administrator issues a token for a program that uses the staff API
(/api/v1/staff), with a role as a staff account has one, and revokes it. The token is
shown once; only its hash is kept."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.kernel import day_bounds, local_date, now_utc
from scheduler.models import ApiToken, Professional, StaffRole, Unit
from scheduler.staff import texts
from scheduler.staff.access import (
    ADMINS,
    forbidden,
    not_found,
    professionals_query,
    require_role,
    units_query,
)
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.forms import IdsField, StaffForm, Text, among_ids, one_of
from scheduler.web import api_tokens
from scheduler.web.i18n import localized
from scheduler.web.input import parse_date


class ApiTokenForm(StaffForm):
    name = Text(100, is_required=True)
    role = Text(16, is_required=True)
    unit_id = IdsField()
    professional_id = IdsField()
    expires = Text(20)


def _roles() -> list[str]:
    """The roles the user may give: never more than their own."""
    if current_user().is_org_admin:
        return [r.value for r in StaffRole]
    return [StaffRole.WORKER.value, StaffRole.UNIT_ADMIN.value]


def _tokens() -> list[ApiToken]:
    user = current_user()
    query = select(ApiToken).where(ApiToken.organisation_id == user.organisation_id)
    if not user.is_org_admin:
        query = query.where(ApiToken.unit_id == user.unit_id)
    return list(db.session.scalars(query.order_by(ApiToken.created_at.desc(), ApiToken.id)))


def _issue(form: ApiTokenForm) -> tuple[ApiToken, str] | None:
    """The new token of a valid form (flushes), or None with the form's problems."""
    user = current_user()
    units = {u.id: u for u in db.session.scalars(units_query())}
    pros = {p.id: p for p in db.session.scalars(professionals_query())}
    form.check(
        {
            "role": [one_of(_roles())],
            "unit_id": [among_ids(units)],
            "professional_id": [among_ids(pros)],
        }
    )
    role = form.role.data
    unit: Unit | None = units.get(form.unit_id.ids[0]) if form.unit_id.ids else None
    pro: Professional | None = (
        pros.get(form.professional_id.ids[0]) if form.professional_id.ids else None
    )
    if role == StaffRole.WORKER and pro is None:
        form.problems["professional_id"] = _("Choose the worker whose calendar the token uses.")
    if role == StaffRole.UNIT_ADMIN and unit is None:
        form.problems["unit_id"] = _("Choose a unit.")
    expires_at = None
    if form.expires.value:
        day = parse_date(form.expires.value)
        zone = user.organisation.zone
        if day is None or day < local_date(now_utc(), zone):
            form.problems["expires"] = _("Write a date such as 24.12.2026, today or later.")
        else:
            expires_at = day_bounds(day, zone)[1]  # usable until the end of that day
    if form.problems or form.name.value is None:
        return None
    return api_tokens.issue(user, form.name.value, StaffRole(role), unit, pro, expires_at)


@bp.route("/admin/api-tokens", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_api_tokens() -> ResponseReturnValue:
    """The organisation's (a unit administrator: the unit's) tokens and a form for a new one;
    a new token is shown once, on the page that answers the form."""
    form = ApiTokenForm(request.form)
    secret = None
    if request.method == "POST":
        issued = _issue(form)
        if issued is not None:
            secret = issued[1]
    now = now_utc()
    return render_template(
        "staff/admin_api_tokens.html",
        tokens=_tokens(),
        now=now,
        secret=secret,
        form=request.form if form.problems else {},
        errors=form.problems,
        zone=current_user().organisation.zone,
        role_options=[(r, texts.ROLES[r]) for r in _roles()],
        unit_options=[("", _("None"))]
        + [(u.id, localized(u.name)) for u in db.session.scalars(units_query())],
        pro_options=[("", _("None"))]
        + [(p.id, p.name) for p in db.session.scalars(professionals_query())],
        texts=texts,
    ), (422 if form.problems else 200)


@bp.post("/admin/api-tokens/<id:api_token_id>/revoke")
@require_role(*ADMINS)
def admin_api_token_revoke(api_token_id: int) -> ResponseReturnValue:
    """The token stops working at once."""
    row = db.session.get(ApiToken, api_token_id)
    user = current_user()
    if row is None or row.organisation_id != user.organisation_id:
        raise not_found()
    if not user.is_org_admin and row.unit_id != user.unit_id:
        raise forbidden()
    api_tokens.revoke(row)
    flash(_("The API token no longer works."))
    return redirect(url_for("staff.admin_api_tokens"))
