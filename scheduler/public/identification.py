"""Strong identification of the family, for services that require it.

The family chooses a time (held), signs in at the ``family`` OpenID Connect provider
(authorization code flow with PKCE, through ``scheduler.web.oidc``) and comes back to the
booking form. The verified identity is written on the held booking at once, server-side,
so that it never travels in a URL or a cookie; confirming copies it into the booking.

Without a configured provider, the development tools (``scheduler.dev``, never in
production) stand in with test persons. Where neither is there, families are told so on
the service page, before they hold a time, with the unit's phone number.
"""

from __future__ import annotations

from flask import current_app, g, redirect, session, url_for
from flask.typing import ResponseReturnValue

from scheduler import audit
from scheduler import booking as ops
from scheduler.config import dev_tools_enabled
from scheduler.extensions import db, limiter
from scheduler.kernel import Problem, now_utc
from scheduler.models import Booking
from scheduler.public.blueprint import bp, public_limit
from scheduler.web import oidc
from scheduler.web.i18n import current_language

PROVIDER = "family"
SESSION_KEY = "identify_hold"


def available() -> bool:
    """Whether strong identification can be done in this deployment."""
    return oidc.is_configured(PROVIDER) or dev_tools_enabled(current_app)


def record_identity(booking: Booking, subject: str, name: str | None) -> None:
    """Write the verified identity on a held booking (client data: logged). Flushes."""
    booking.identity_subject = subject
    booking.identity_name = name
    booking.updated_at = now_utc()
    db.session.flush()
    audit.record(
        booking.organisation_id,
        "booking.identify",
        f"booking:{booking.id}",
        ops.client_identifiers(booking),
    )


@bp.post("/book/<token>/identify")
@limiter.limit(public_limit)
def identify(token: str) -> ResponseReturnValue:
    """Send the family to the identification service; the hold token waits in the session."""
    ops.booking_by_hold_token(token)
    session[SESSION_KEY] = token
    if not oidc.is_configured(PROVIDER) and dev_tools_enabled(current_app):
        return redirect(url_for("dev.identify_page"), 303)
    return oidc.begin(
        PROVIDER, url_for("public.identified", _external=True), ui_locales=current_language()
    )


@bp.get("/identify/callback")
@limiter.limit(public_limit)
def identified() -> ResponseReturnValue:
    """Back from the identification service: verify, record, and go on to the form."""
    token = session.pop(SESSION_KEY, None)
    if not token:
        raise Problem(400, "identification_failed", "The identification did not succeed.")
    booking = ops.booking_by_hold_token(token)
    g.org = booking.organisation
    g.actor, g.actor_role = "client:booking-form", "client"
    try:
        identity = oidc.finish(PROVIDER)
    except Problem as exc:
        raise Problem(exc.status, "identification_failed", exc.message) from exc
    record_identity(booking, identity.subject, identity.name)
    return redirect(url_for("public.book", token=token), 303)
