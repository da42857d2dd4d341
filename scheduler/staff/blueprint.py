"""The staff blueprint and what every staff page shares: the signed-in user, the
development sign-in banner, and the rule that every page but sign-in needs a user."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from scheduler.extensions import db
from scheduler.kernel import Problem
from scheduler.models import StaffUser

bp = Blueprint("staff", __name__, url_prefix="/staff")

SESSION_KEY = "staff_user_id"
# Pages anyone may open: signing in and out.
OPEN_ENDPOINTS = {
    "staff.login",
    "staff.oidc_start",
    "staff.oidc_callback",
    "staff.dev_login",
    "staff.logout",
}


def dev_login_enabled() -> bool:
    """The development sign-in is on only when ETAAIKA_DEV_LOGIN is explicitly true."""
    value = current_app.config.get("DEV_LOGIN")
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def current_user() -> StaffUser:
    """The signed-in staff user (every view but sign-in runs after ``load_user``)."""
    user: StaffUser = g.staff
    return user


def actor_label(user: StaffUser) -> str:
    """How a staff user is named in the access log."""
    return f"{user.name} (staff:{user.id})"[:255]


@bp.before_request
def load_user() -> ResponseReturnValue | None:
    """Load the user of the session; send anyone else to the sign-in page."""
    g.staff = None
    user_id = session.get(SESSION_KEY)
    user = db.session.get(StaffUser, user_id) if isinstance(user_id, int) else None
    if user is not None and user.active:
        g.staff = user
        g.actor = actor_label(user)
        g.actor_role = user.role.value
        g.org = user.organisation  # named in the page header
    elif user_id is not None:
        session.pop(SESSION_KEY, None)
    if g.staff is None and request.endpoint not in OPEN_ENDPOINTS:
        if request.method == "GET":
            return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
        raise Problem(401, "sign_in_required", _("Please sign in first."))
    return None


@bp.context_processor
def staff_layout_values() -> dict[str, Any]:
    return {
        "staff_user": g.get("staff"),
        "dev_login": dev_login_enabled(),
    }
