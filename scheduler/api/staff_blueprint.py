"""The staff API's blueprint (/api/v1/staff) and who is calling: an API token.

Every request must carry ``Authorization: Bearer <token>``; a session cookie is never
read here. The token stands for a staff user of its organisation in the staff pages'
access rules (``scheduler.staff.access``): it has the same organisation, role, unit and
professional, so every call reaches exactly what the staff pages let that role reach.
Every call is written to the access log under the token's name, refused ones too.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from scheduler import audit
from scheduler.models import ApiToken
from scheduler.web import api_tokens
from scheduler.web.commit import after_rollback
from scheduler.web.csrf_check import exempt_bearer_requests

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1/staff")
exempt_bearer_requests(bp)


def _refuse(error: str, description: str) -> Unauthorized:
    challenge = WWWAuthenticate("bearer", {"realm": "etaaika", "error": error})
    return Unauthorized(description=description, www_authenticate=challenge)


@bp.before_request
def authenticate() -> None:
    """The token of the request, or 401; then the call's access-log row."""
    auth = request.authorization
    if auth is None or auth.type != "bearer" or not auth.token:
        raise _refuse("invalid_request", "Send an API token: Authorization: Bearer <token>.")
    token = api_tokens.recognise(auth.token)
    if token is None:
        raise _refuse("invalid_token", "The API token is unknown, revoked or expired.")
    g.staff = token  # read by scheduler.staff.access as the user whose reach counts
    g.api_token = token
    g.actor = api_tokens.actor_label(token)
    g.actor_role = token.role.value
    org_id, target = token.organisation_id, f"{request.method} {request.path}"[:64]
    audit.record(org_id, "api.call", target)

    def refused() -> None:
        audit.record(org_id, "api.call", target, result="refused")

    after_rollback(refused)


def current_token() -> ApiToken:
    """The calling token (every view runs after ``authenticate``)."""
    token: ApiToken = g.api_token
    return token


def api_limit() -> str:
    """The limit of every API change (``RATELIMIT_PUBLIC``), as on the public API."""
    return str(current_app.config["RATELIMIT_PUBLIC"])
