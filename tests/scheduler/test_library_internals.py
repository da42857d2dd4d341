"""The library parts the request frame and the access log rely on beyond their documented use.

Each of these fails when a new version of the library moves what is relied on, before a
request can go wrong: Flask-Limiter's check before each request and the lists of limits
outside views (``scheduler/extensions.py``), Flask's signed-cookie session interface
(``scheduler/web/session_cookie.py``) and psycopg's SQL composition on the driver's own
connection (``scheduler/audit.py``; its hashes are checked against Python's in
``tests/staff/test_audit_chain.py``). pyproject.toml bounds each library's version.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import flask_limiter
import psycopg
from flask import Flask, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from psycopg import sql as pg_sql

from scheduler.extensions import limiter
from scheduler.web.session_cookie import SessionInterface
from tests.conftest import make_app


def _parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


# -- Flask-Limiter ----------------------------------------------------------------------------


def test_flask_limiter_still_checks_each_request_through_the_overridden_method(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'limits.db'}", RATELIMIT_ENABLED=True)
    assert _parameters(flask_limiter.Limiter._check_request_limit) == [
        "self",
        "callable_name",
        "in_middleware",
    ]
    # init_app registers the bound method as the hook: the override is what runs.
    assert limiter._check_request_limit in app.before_request_funcs[None]


def test_flask_limiter_still_keeps_the_limits_outside_views_where_they_are_read(
    app: Flask,
) -> None:
    manager = limiter.limit_manager
    for name in ("_application_limits", "_default_limits", "_blueprint_limits"):
        assert hasattr(manager, name), name
    assert hasattr(limiter, "_meta_limits") and hasattr(limiter, "_in_memory_fallback")
    assert not limiter._limits_outside_views()
    try:
        manager.set_default_limits([object()])  # type: ignore[list-item]
        assert limiter._limits_outside_views()
    finally:
        manager.set_default_limits([])


def test_a_limit_on_a_view_is_still_checked_when_the_view_is_called(tmp_path: Path) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'limits.db'}", RATELIMIT_ENABLED=True)

    @app.get("/test-limited")
    @limiter.limit("1 per minute")
    def limited() -> str:
        return "ok"

    client = app.test_client()
    assert [client.get("/test-limited").status_code for _ in range(2)] == [200, 429]


# -- Flask's session interface ---------------------------------------------------------------


def test_flask_session_interface_still_has_the_overridden_methods() -> None:
    assert _parameters(SecureCookieSessionInterface.get_signing_serializer) == ["self", "app"]
    assert _parameters(SecureCookieSessionInterface.open_session) == ["self", "app", "request"]
    assert _parameters(SecureCookieSessionInterface.save_session) == [
        "self",
        "app",
        "session",
        "response",
    ]
    assert SecureCookieSessionInterface.session_class is SecureCookieSession


def test_flask_reads_our_session_cookie_and_we_read_flasks(app: Flask) -> None:
    """The cookie is signed exactly as Flask signs it, both ways."""

    @app.get("/test-session/set")
    def set_value() -> str:
        session["seen"] = "yes"
        return "set"

    @app.get("/test-session/get")
    def get_value() -> str:
        return str(session.get("seen", "none"))

    assert isinstance(app.session_interface, SessionInterface)
    for writer, reader in [
        (SessionInterface(), SecureCookieSessionInterface()),
        (SecureCookieSessionInterface(), SessionInterface()),
    ]:
        app.session_interface = writer
        client = app.test_client()
        client.get("/test-session/set")
        app.session_interface = reader
        assert client.get("/test-session/get").text == "yes"


# -- psycopg ---------------------------------------------------------------------------------


def test_psycopg_still_composes_literals_without_a_connection_to_quote_them() -> None:
    """The access log sends its statements as literals; psycopg quotes them itself."""
    assert psycopg.__version__.split(".")[0] == "3"
    statement = pg_sql.SQL("SELECT {a}, {b}, {c}").format(
        a=pg_sql.Literal("it's"), b=pg_sql.Literal(7), c=pg_sql.Literal(None)
    )
    assert statement.as_string(None) == "SELECT 'it''s', 7, NULL"
