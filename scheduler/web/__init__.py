"""The request frame: one commit per request, one error shape, security headers, the session
cookie, logging, language and formats, and OpenID Connect sign-in."""

from __future__ import annotations

from flask import Flask, request
from flask.typing import ResponseReturnValue

from scheduler import config
from scheduler.web import commit, errors, headers, i18n
from scheduler.web.errors import render_problem
from scheduler.web.input import JSONProvider
from scheduler.web.session_cookie import SessionInterface


def _loopback_only() -> ResponseReturnValue | None:
    """With the public development key, a request from another machine is refused."""
    if config.is_loopback_host(request.remote_addr):
        return None
    return render_problem(
        403,
        "development_key",
        "This server runs with the public development key and serves only its own machine.",
    )


def init_app(app: Flask) -> None:
    """The frame around every request (logging is set up first, by ``create_app``)."""
    app.session_interface = SessionInterface()
    app.json = JSONProvider(app)
    i18n.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    commit.init_app(app)
    if config.uses_development_key(app):
        # First of all hooks: nothing else runs for a request that is refused.
        app.before_request_funcs.setdefault(None, []).insert(0, _loopback_only)
