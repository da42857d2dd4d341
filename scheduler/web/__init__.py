"""The request frame: one commit per request, one error shape, security headers, the session
cookie, logging, language and formats, and OpenID Connect sign-in."""

from __future__ import annotations

from flask import Flask

from scheduler.web import commit, errors, headers, i18n
from scheduler.web.input import JSONProvider
from scheduler.web.session_cookie import SessionInterface


def init_app(app: Flask) -> None:
    """The frame around every request (logging is set up first, by ``create_app``)."""
    app.session_interface = SessionInterface()
    app.json = JSONProvider(app)
    i18n.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    commit.init_app(app)
