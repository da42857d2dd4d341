"""Flask's signed session cookie, without its fixed cost on requests that carry none.

Only staff pages and the identification step of the family pages use the session; the
API, the probes and most family pages never do. Flask's own interface still builds a
signing serializer (key derivation set-up included) on every request and reads seven cookie
settings when saving an empty, untouched session. Here the serializer is made once per
secret key (and fallback keys) and reused, a request without the cookie gets an empty
session without it, and an empty, unmodified session is left alone on the way out. What
is signed, checked and sent is exactly what Flask does, with one addition: the cookie is
``Secure`` whenever the request came over https or the service's public address is https
(``cookies_secure``), so it never travels in clear even if a client is led to http.

What it buys: ``benchmarks/request_frame.py`` measured about 20–30 µs of a web process's
CPU per request without a session cookie (of about 300 µs for the liveness probe). It
overrides three methods of Flask's ``SecureCookieSessionInterface`` and calls them back;
pyproject.toml allows only the Flask minor version this was checked against, and
``tests/scheduler/test_library_internals.py`` fails when their signatures change or when
Flask no longer reads the cookies written here (or the other way round).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer

if TYPE_CHECKING:
    from flask import Flask, Request, Response


def cookies_secure(app: Flask | None = None) -> bool:
    """Whether the cookies set now must be ``Secure``: the request is https (directly or,
    with ``PROXY_FIX_HOPS``, at the proxy), the public address is https, or
    ``SESSION_COOKIE_SECURE`` says so."""
    app = app or current_app
    if app.config.get("SESSION_COOKIE_SECURE"):
        return True
    if str(app.config.get("PUBLIC_URL") or "").lower().startswith("https://"):
        return True
    return has_request_context() and request.is_secure


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        # (secret key, fallback keys) -> serializer; replaced whole when a key changes.
        self._serializer: tuple[Any, URLSafeTimedSerializer | None] = (None, None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached_keys, serializer = self._serializer
        if serializer is None or cached_keys != keys:
            serializer = super().get_signing_serializer(app)
            self._serializer = (keys, serializer)
        return serializer

    def get_cookie_secure(self, app: Flask) -> bool:
        return cookies_secure(app)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified:
            # Nothing to set or delete; only the Vary header Flask adds for a read session.
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
