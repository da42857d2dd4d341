"""Signing in and out: the organisation's OpenID provider, and a development sign-in that
exists only when ETAAIKA_DEV_LOGIN is true (``make run`` sets it; every page then shows
a banner)."""

from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select

from scheduler.extensions import configured_limit, db, limiter
from scheduler.kernel import Problem, now_utc
from scheduler.models import Organisation, Professional, StaffRole, StaffUser
from scheduler.staff.access import not_found
from scheduler.staff.blueprint import SESSION_KEY, bp, dev_login_enabled
from scheduler.web import oidc
from scheduler.web.input import parse_id

DEV_ISSUER = "development"


def _safe_next(value: str | None) -> str:
    """Only a staff page of this site may be the place to return to after signing in."""
    if value and value.startswith("/staff/") and not value.startswith("//"):
        return value
    return url_for("staff.agenda")


def _sign_in(user: StaffUser) -> ResponseReturnValue:
    target = _safe_next(session.get("staff_next"))
    # A new session for the signed-in user: nothing from before sign-in carries over.
    session.clear()
    session[SESSION_KEY] = user.id
    user.last_sign_in_at = now_utc()
    db.session.flush()
    return redirect(target)


@bp.get("/login")
def login() -> ResponseReturnValue:
    """The sign-in page."""
    session["staff_next"] = _safe_next(request.args.get("next"))
    choices = _dev_choices() if dev_login_enabled() else []
    return render_template(
        "staff/login.html", oidc_enabled=oidc.is_configured("staff"), dev_choices=choices
    )


@bp.post("/login/oidc")
@limiter.limit(configured_limit("RATELIMIT_SIGN_IN"))
def oidc_start() -> ResponseReturnValue:
    """Off to the organisation's identity provider (authorization code flow with PKCE)."""
    return oidc.begin(
        "staff", url_for("staff.oidc_callback", _external=True), ui_locales=g.get("lang", "fi")
    )


@bp.get("/auth/callback")
@limiter.limit(configured_limit("RATELIMIT_SIGN_IN"))
def oidc_callback() -> ResponseReturnValue:
    """Back from the provider: the verified identity must belong to an active staff account."""
    identity = oidc.finish("staff")
    user = db.session.scalar(
        select(StaffUser).where(
            StaffUser.oidc_issuer == identity.issuer, StaffUser.oidc_subject == identity.subject
        )
    )
    if user is None and identity.email:
        # First sign-in: the account an administrator created for this e-mail address.
        matches = list(
            db.session.scalars(
                select(StaffUser).where(
                    func.lower(StaffUser.email) == identity.email,
                    StaffUser.oidc_subject.is_(None),
                )
            )
        )
        if len(matches) == 1:
            user = matches[0]
            user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
    if user is None or not user.active:
        raise Problem(
            403,
            "no_staff_account",
            _("You signed in, but you have no staff account here. Ask your administrator."),
        )
    return _sign_in(user)


def _dev_choices() -> list[tuple[str, str]]:
    """(value, label) of everyone the development sign-in can act as."""
    choices: list[tuple[str, str]] = []
    for user in db.session.scalars(
        select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.id)
    ):
        choices.append((f"user:{user.id}", f"{user.name} – {user.role} ({user.email})"))
    for org in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        choices.append((f"admin:{org.id}", f"{org.slug}: org_admin"))
    linked = select(StaffUser.professional_id).where(StaffUser.professional_id.is_not(None))
    for pro in db.session.scalars(
        select(Professional).where(Professional.id.not_in(linked)).order_by(Professional.id)
    ):
        choices.append((f"pro:{pro.id}", f"{pro.name} – worker"))
    return choices


def _dev_user(choice: str) -> StaffUser:
    kind, _sep, raw_id = choice.partition(":")
    chosen_id = parse_id(raw_id)
    if chosen_id is None:
        raise Problem(422, "invalid_input", _("Choose who to sign in as."))
    if kind == "user":
        user = db.session.get(StaffUser, chosen_id)
        if user is None or not user.active:
            raise Problem(422, "invalid_input", _("Choose who to sign in as."))
        return user
    now = now_utc()
    if kind == "pro":
        pro = db.session.get(Professional, chosen_id)
        if pro is None:
            raise Problem(422, "invalid_input", _("Choose who to sign in as."))
        user = StaffUser(
            organisation_id=pro.organisation_id,
            unit_id=pro.unit_id,
            role=StaffRole.WORKER,
            professional_id=pro.id,
            email=(pro.email or f"worker{pro.id}@dev.invalid").lower(),
            name=pro.name,
            oidc_issuer=DEV_ISSUER,
            oidc_subject=f"pro:{pro.id}",
            active=True,
            created_at=now,
        )
    elif kind == "admin":
        org = db.session.get(Organisation, chosen_id)
        if org is None:
            raise Problem(422, "invalid_input", _("Choose who to sign in as."))
        user = db.session.scalar(
            select(StaffUser).where(
                StaffUser.oidc_issuer == DEV_ISSUER, StaffUser.oidc_subject == f"admin:{org.id}"
            )
        ) or StaffUser(
            organisation_id=org.id,
            role=StaffRole.ORG_ADMIN,
            email=f"admin@{org.slug}.dev.invalid",
            name=f"Admin ({org.slug})",
            oidc_issuer=DEV_ISSUER,
            oidc_subject=f"admin:{org.id}",
            active=True,
            created_at=now,
        )
    else:
        raise Problem(422, "invalid_input", _("Choose who to sign in as."))
    db.session.add(user)
    db.session.flush()
    return user


@bp.post("/login/dev")
@limiter.limit(configured_limit("RATELIMIT_SIGN_IN"))
def dev_login() -> ResponseReturnValue:
    """Development sign-in: act as any staff user, without a provider. Off unless enabled."""
    if not dev_login_enabled():
        raise not_found()
    return _sign_in(_dev_user(request.form.get("who", "")))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out (the session forgets the user)."""
    session.pop(SESSION_KEY, None)
    return redirect(url_for("staff.login"))
