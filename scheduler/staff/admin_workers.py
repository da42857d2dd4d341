"""Administration of workers (professionals), staff accounts, and each worker's calendars:
external busy-time feeds with their status, and the subscribable booking feed."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from scheduler.extensions import db
from scheduler.ical import manage as feeds
from scheduler.ical.sync import read_feed
from scheduler.ical.texts import text as ical_text
from scheduler.kernel import now_utc
from scheduler.models import CalendarFeed, FeedToken, Professional, StaffRole, StaffUser
from scheduler.staff import texts
from scheduler.staff.access import (
    ADMINS,
    forbidden,
    not_found,
    professional_or_404,
    professionals_query,
    require_role,
    services_query,
    staff_user_or_404,
    units_query,
)
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.forms import AccountForm, WorkerForm, among_ids, one_of, texts_of
from scheduler.web.commit import wait_outside_transaction
from scheduler.web.i18n import localized

FEED_STATES = {
    "ok": lazy_gettext("In order"),
    "error": lazy_gettext("Last reading failed"),
    "stale": lazy_gettext("Out of date"),
    "never": lazy_gettext("Not read yet"),
}


def _read_worker(form: WorkerForm) -> dict[str, object]:
    units = {u.id for u in db.session.scalars(units_query())}
    services = {s.id: s for s in db.session.scalars(services_query())}
    form.check(
        {
            "unit_id": [among_ids(units, missing=_("Choose a unit."))],
            "services": [among_ids(set(services))],
        }
    )
    return {
        "name": form.name.value,
        "title": texts_of(form.title),
        "languages": [code for code in form.languages.data or [] if code],
        "email": (form.email.value or "").lower() or None,
        "active": form.active.data,
        "unit_id": form.unit_id.ids[0] if form.unit_id.ids else None,
        "services": [services[i] for i in form.services.ids if i in services],
    }


def worker_values(pro: Professional | None) -> MultiDict[str, Any]:
    values: MultiDict[str, Any] = MultiDict()
    if pro is None:
        values.update({"active": "1", "languages": "fi"})
        return values
    values.update({"name": pro.name, "email": pro.email or "", "unit_id": pro.unit_id})
    for lang, text in (pro.title or {}).items():
        values[f"title-{lang}"] = text
    values.setlist("languages", list(pro.languages or []))
    values.setlist("services", [s.id for s in pro.services])
    if pro.active:
        values["active"] = "1"
    return values


def _worker_page(pro: Professional | None, form: WorkerForm) -> ResponseReturnValue:
    return render_template(
        "staff/admin_worker.html",
        pro=pro,
        form=request.form if request.method == "POST" else worker_values(pro),
        errors=form.problems,
        units=list(db.session.scalars(units_query())),
        service_options=[(s.id, localized(s.name)) for s in db.session.scalars(services_query())],
        feed_states=FEED_STATES,
        zone=current_user().organisation.zone,
        texts=texts,
        feeds=feeds.feed_statuses(pro.id, g.lang) if pro else [],
        feed_tokens=feeds.active_feed_tokens(professional_id=pro.id) if pro else [],
    ), (422 if form.problems else 200)


def _save_worker(pro: Professional, values: dict[str, object]) -> None:
    chosen = values.pop("services")
    for key, value in values.items():
        setattr(pro, key, value)
    visible = {s.id for s in db.session.scalars(services_query())}
    pro.services = [s for s in pro.services if s.id not in visible] + list(chosen)  # type: ignore[call-overload]
    db.session.flush()


@bp.get("/admin/workers")
@require_role(*ADMINS)
def admin_workers() -> ResponseReturnValue:
    pros = list(db.session.scalars(professionals_query()))
    return render_template("staff/admin_workers.html", pros=pros)


@bp.route("/admin/workers/new", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_worker_new() -> ResponseReturnValue:
    form = WorkerForm(request.form)
    if request.method == "POST":
        values = _read_worker(form)
        if not form.problems:
            pro = Professional(organisation_id=current_user().organisation_id)
            db.session.add(pro)
            _save_worker(pro, values)
            flash(_("The worker was added."))
            return redirect(url_for("staff.admin_worker", professional_id=pro.id))
    return _worker_page(None, form)


@bp.route("/admin/workers/<id:professional_id>", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_worker(professional_id: int) -> ResponseReturnValue:
    pro = professional_or_404(professional_id)
    form = WorkerForm(request.form)
    if request.method == "POST":
        values = _read_worker(form)
        if not form.problems:
            _save_worker(pro, values)
            flash(_("The worker was saved."))
            return redirect(url_for("staff.admin_worker", professional_id=pro.id))
    return _worker_page(pro, form)


@bp.post("/admin/workers/<id:professional_id>/feeds")
@require_role(*ADMINS)
def admin_feed_add(professional_id: int) -> ResponseReturnValue:
    """Connect the worker's own calendar (a published iCalendar address) and read it once
    at once, so that the administrator sees on the spot whether it works."""
    pro = professional_or_404(professional_id)
    back = url_for("staff.admin_worker", professional_id=pro.id) + "#calendars"
    zone = pro.organisation.timezone
    try:
        url = feeds.checked_url(request.form.get("url", ""))
    except feeds.FeedUrlInvalid:
        flash(_("The address is not a calendar address (https:// or webcal://)."), "error")
        return redirect(back)
    wait_outside_transaction()
    first_read = read_feed(url, zone, now_utc())
    pro = professional_or_404(professional_id)
    feed = feeds.add_feed(pro, url, request.form.get("label"), first_read)
    if feed.last_success_at is not None:
        flash(
            _(
                "The calendar was connected and read: %(count)d busy times in the coming weeks.",
                count=int((feed.report or {}).get("busy", 0)),
            ),
            "here-info",
        )
    else:
        reason = ical_text(feed.last_error or "unreadable", g.lang)
        flash(
            _(
                "The calendar was connected, but it could not be read: %(reason)s "
                "The worker's times stay bookable meanwhile.",
                reason=reason,
            ),
            "here-error",
        )
    return redirect(back)


def _feed_of(pro: Professional, feed_id: int) -> CalendarFeed:
    feed = db.session.get(CalendarFeed, feed_id)
    if feed is None or feed.professional_id != pro.id:
        raise not_found()
    return feed


@bp.post("/admin/workers/<id:professional_id>/feeds/<id:feed_id>/remove")
@require_role(*ADMINS)
def admin_feed_remove(professional_id: int, feed_id: int) -> ResponseReturnValue:
    pro = professional_or_404(professional_id)
    feeds.remove_feed(_feed_of(pro, feed_id))
    flash(_("The calendar was disconnected."))
    return redirect(url_for("staff.admin_worker", professional_id=pro.id) + "#calendars")


@bp.post("/admin/workers/<id:professional_id>/feeds/<id:feed_id>/refresh")
@require_role(*ADMINS)
def admin_feed_refresh(professional_id: int, feed_id: int) -> ResponseReturnValue:
    pro = professional_or_404(professional_id)
    feeds.request_refresh(_feed_of(pro, feed_id))
    flash(_("The calendar will be read again within a minute."))
    return redirect(url_for("staff.admin_worker", professional_id=pro.id) + "#calendars")


@bp.post("/admin/workers/<id:professional_id>/feed-tokens")
@require_role(*ADMINS)
def admin_feed_token_new(professional_id: int) -> ResponseReturnValue:
    """A new secret booking-feed address; shown once, since only its hash is kept."""
    pro = professional_or_404(professional_id)
    _row, url = feeds.create_feed_token(professional=pro, language=g.lang)
    return render_template("staff/feed_token.html", pro=pro, url=url)


@bp.post("/admin/workers/<id:professional_id>/feed-tokens/<id:token_id>/revoke")
@require_role(*ADMINS)
def admin_feed_token_revoke(professional_id: int, token_id: int) -> ResponseReturnValue:
    pro = professional_or_404(professional_id)
    row = db.session.get(FeedToken, token_id)
    if row is None or row.professional_id != pro.id:
        raise not_found()
    feeds.revoke_feed_token(row)
    flash(_("The booking feed address no longer works."))
    return redirect(url_for("staff.admin_worker", professional_id=pro.id) + "#calendars")


# Staff accounts -----------------------------------------------------------------------


def _roles_for(user: StaffUser) -> list[str]:
    if user.is_org_admin:
        return [r.value for r in StaffRole]
    return [StaffRole.WORKER.value, StaffRole.UNIT_ADMIN.value]


def _read_account(form: AccountForm, account: StaffUser | None) -> dict[str, object]:
    user = current_user()
    units = {u.id for u in db.session.scalars(units_query())}
    pros = {p.id for p in db.session.scalars(professionals_query())}
    form.check(
        {
            "role": [one_of(_roles_for(user))],
            "unit_id": [among_ids(units)],
            "professional_id": [among_ids(pros)],
        }
    )
    role = form.role.data
    unit_ids, pro_ids = form.unit_id.ids, form.professional_id.ids
    if not unit_ids and pro_ids:
        # The worker the account is for tells its unit.
        pro = db.session.get(Professional, pro_ids[0])
        unit_ids = [pro.unit_id] if pro is not None else []
    if role != StaffRole.ORG_ADMIN and not unit_ids:
        form.problems["unit_id"] = _("Choose a unit.")
    email = (form.email.value or "").lower()
    if email and "@" not in email:
        form.problems["email"] = _("Write an e-mail address.")
    taken = db.session.scalar(
        select(func.count())
        .select_from(StaffUser)
        .where(
            StaffUser.organisation_id == user.organisation_id,
            func.lower(StaffUser.email) == email,
            StaffUser.id != (account.id if account else -1),
        )
    )
    if taken:
        form.problems["email"] = _("Another account has this e-mail address.")
    return {
        "email": email,
        "name": form.name.value,
        "role": StaffRole(role) if role in set(StaffRole) else StaffRole.WORKER,
        "unit_id": unit_ids[0] if unit_ids else None,
        "professional_id": pro_ids[0] if pro_ids else None,
        "active": form.active.data,
    }


def account_values(account: StaffUser | None) -> MultiDict[str, Any]:
    values: MultiDict[str, Any] = MultiDict()
    if account is None:
        # The defaults must make a valid account: a worker needs a unit, so the form starts
        # with the administrator's own unit (or the organisation's first).
        user = current_user()
        first = db.session.scalars(units_query()).first()
        unit_id = user.unit_id or (first.id if first is not None else "")
        values.update({"active": "1", "role": StaffRole.WORKER.value, "unit_id": unit_id})
        return values
    values.update(
        {
            "email": account.email,
            "name": account.name,
            "role": account.role,
            "unit_id": account.unit_id or "",
            "professional_id": account.professional_id or "",
        }
    )
    if account.active:
        values["active"] = "1"
    return values


def _account_page(account: StaffUser | None, form: AccountForm) -> ResponseReturnValue:
    return render_template(
        "staff/admin_account.html",
        account=account,
        form=request.form if request.method == "POST" else account_values(account),
        errors=form.problems,
        role_options=[(r, texts.ROLES[r]) for r in _roles_for(current_user())],
        unit_options=[("", _("None (the whole organisation)"))]
        + [(u.id, localized(u.name)) for u in db.session.scalars(units_query())],
        pro_options=[("", _("None"))]
        + [(p.id, p.name) for p in db.session.scalars(professionals_query())],
        texts=texts,
    ), (422 if form.problems else 200)


@bp.get("/admin/accounts")
@require_role(*ADMINS)
def admin_accounts() -> ResponseReturnValue:
    user = current_user()
    query = select(StaffUser).where(StaffUser.organisation_id == user.organisation_id)
    if not user.is_org_admin:
        query = query.where(StaffUser.unit_id == user.unit_id)
    accounts = list(db.session.scalars(query.order_by(StaffUser.name)))
    return render_template("staff/admin_accounts.html", accounts=accounts, texts=texts)


@bp.route("/admin/accounts/new", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_account_new() -> ResponseReturnValue:
    form = AccountForm(request.form)
    if request.method == "POST":
        values = _read_account(form, None)
        if not form.problems:
            account = StaffUser(
                organisation_id=current_user().organisation_id, created_at=now_utc(), **values
            )
            db.session.add(account)
            db.session.flush()
            flash(_("The account was added. The person can now sign in."))
            return redirect(url_for("staff.admin_accounts"))
    return _account_page(None, form)


@bp.route("/admin/accounts/<id:account_id>", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_account(account_id: int) -> ResponseReturnValue:
    account = staff_user_or_404(account_id)
    if account.is_org_admin and not current_user().is_org_admin:
        raise forbidden()
    form = AccountForm(request.form)
    if request.method == "POST":
        values = _read_account(form, account)
        if account.id == current_user().id and (
            values["role"] != account.role or not values["active"]
        ):
            form.problems["role"] = _("You cannot lower your own role or close your own account.")
        if not form.problems:
            if values["email"] != account.email:
                # A new address signs in afresh; the old provider identity no longer applies.
                account.oidc_issuer = account.oidc_subject = None
            for key, value in values.items():
                setattr(account, key, value)
            db.session.flush()
            flash(_("The account was saved."))
            return redirect(url_for("staff.admin_accounts"))
    return _account_page(account, form)
