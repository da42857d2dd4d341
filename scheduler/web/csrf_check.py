"""When Flask-WTF checks the CSRF token: on a request whose method can change something,
through its public ``protect(apply_exemptions=True)``.

Flask-WTF's own check before each request looks up the request's blueprint and view
exemptions first and the method last, so every GET pays for the look-up only to be let
through. Here the method is asked first. ``benchmarks/request_frame.py`` measured about
25–45 µs of a web process's CPU saved per GET (of about 300 µs for the liveness probe).
Only Flask-WTF's documented API is used (``WTF_CSRF_CHECK_DEFAULT``, ``protect``).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, request

from scheduler.extensions import csrf

# Blueprints that authenticate by a bearer token in the Authorization header only (never by
# a cookie): a request that carries one is not a browser's and needs no CSRF token. Any
# other request to them is checked like a form's.
_BEARER_ONLY: set[str] = set()


def exempt_bearer_requests(blueprint: Blueprint) -> None:
    """Skip the CSRF check for the requests to ``blueprint`` that carry a bearer token."""
    _BEARER_ONLY.add(blueprint.name)


def _bearer_request() -> bool:
    auth = request.authorization
    return request.blueprint in _BEARER_ONLY and auth is not None and auth.type == "bearer"


def check_csrf() -> None:
    """Before each request: a POST, PUT, PATCH or DELETE must carry a valid token."""
    config = current_app.config
    if request.method not in config["WTF_CSRF_METHODS"] or not config["WTF_CSRF_ENABLED"]:
        return
    if _bearer_request():
        return
    csrf.protect(apply_exemptions=True)


def init_app(app: Flask) -> None:
    """Replace Flask-WTF's check before each request with ``check_csrf`` (after
    ``csrf.init_app``, which sets the defaults read here)."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(check_csrf)
