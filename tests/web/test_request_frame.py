"""What every request goes through besides its view: the session cookie, the one commit,
the security headers, the rate-limit and CSRF checks, the error answer, the access log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, session
from flask.testing import FlaskClient
from sqlalchemy import event, text

from scheduler.extensions import csrf, db, limiter
from scheduler.web.headers import CSP
from tests.conftest import make_app

# -- the session cookie --------------------------------------------------------------------


def _session_routes(app: Flask) -> None:
    @app.get("/test-session/set")
    def set_value() -> str:
        session["seen"] = "yes"
        return "set"

    @app.get("/test-session/get")
    def get_value() -> str:
        return str(session.get("seen", "none"))

    @app.get("/test-session/clear")
    def clear() -> str:
        session.clear()
        return "cleared"


def test_a_request_without_a_session_sets_no_cookie(app: Flask, client: FlaskClient) -> None:
    _session_routes(app)
    answer = client.get("/test-session/get")
    assert answer.text == "none"
    assert "Set-Cookie" not in answer.headers
    # Reading the session still varies the answer by cookie, as Flask's own interface does.
    assert "Cookie" in answer.headers.get("Vary", "")
    assert "Vary" not in client.get("/healthz").headers


def test_the_signed_session_cookie_round_trips_and_is_cleared(
    app: Flask, client: FlaskClient
) -> None:
    _session_routes(app)
    assert "session=" in client.get("/test-session/set").headers["Set-Cookie"]
    assert client.get("/test-session/get").text == "yes"
    assert "session=;" in client.get("/test-session/clear").headers["Set-Cookie"]
    assert client.get("/test-session/get").text == "none"


def test_a_changed_secret_key_refuses_old_cookies_and_fallbacks_still_read_them(
    app: Flask, client: FlaskClient
) -> None:
    _session_routes(app)
    client.get("/test-session/set")
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another-secret-key"
    assert client.get("/test-session/get").text == "none"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert client.get("/test-session/get").text == "yes"


def test_a_tampered_session_cookie_gives_an_empty_session(app: Flask, client: FlaskClient) -> None:
    _session_routes(app)
    client.get("/test-session/set")
    cookie = client.get_cookie("session")
    assert cookie is not None
    client.set_cookie("session", cookie.value[:-2] + "xx")
    assert client.get("/test-session/get").text == "none"


# -- the one commit ------------------------------------------------------------------------


@pytest.fixture
def transactions(app: Flask) -> Iterator[list[str]]:
    """What the request's session did: "begin", "commit", "rollback"."""
    seen: list[str] = []

    def began(*_args: Any) -> None:
        seen.append("begin")

    def committed(*_args: Any) -> None:
        seen.append("commit")

    def rolled_back(*_args: Any) -> None:
        seen.append("rollback")

    db.session.remove()
    listeners = (("after_begin", began), ("after_commit", committed))
    listeners += (("after_rollback", rolled_back),)
    for name, listener in listeners:
        event.listen(db.session, name, listener)
    yield seen
    for name, listener in listeners:
        event.remove(db.session, name, listener)


def test_a_request_that_never_touches_the_database_begins_no_transaction(
    client: FlaskClient, transactions: list[str]
) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/no-such-thing").status_code == 404
    assert transactions == []


def test_a_request_that_reads_commits_once_and_a_refused_one_rolls_back(
    app: Flask, client: FlaskClient, transactions: list[str]
) -> None:
    @app.get("/test-read")
    def read() -> str:
        return str(db.session.execute(text("SELECT 1")).scalar())

    @app.get("/test-read-refused")
    def read_refused() -> tuple[str, int]:
        db.session.execute(text("SELECT 1"))
        return "no", 422

    assert client.get("/test-read").text == "1"
    assert transactions == ["begin", "commit"]
    transactions.clear()
    assert client.get("/test-read-refused").status_code == 422
    assert transactions == ["begin", "rollback"]


# -- the security headers ------------------------------------------------------------------


def test_every_answer_carries_the_security_headers_once(app: Flask, client: FlaskClient) -> None:
    @app.get("/test-own-headers")
    def own_headers() -> Response:
        return Response(
            "x", headers={"cache-control": "max-age=60", "X-Frame-Options": "SAMEORIGIN"}
        )

    for path in ("/healthz", "/api/v1/no-such-thing", "/no-such-page"):
        headers = client.get(path).headers
        assert headers.getlist("Content-Security-Policy") == [CSP]
        assert headers.getlist("Cache-Control") == ["no-store"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in headers
    own = client.get("/test-own-headers").headers
    assert own.getlist("Cache-Control") == ["max-age=60"]
    assert own.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    secure = client.get("/healthz", base_url="https://localhost").headers
    assert secure["Strict-Transport-Security"].startswith("max-age=")


def test_a_method_not_allowed_keeps_its_allow_header(client: FlaskClient) -> None:
    answer = client.delete("/api/v1/services")
    assert answer.status_code == 405
    assert answer.json is not None and answer.json["error"]["code"] == "method_not_allowed"
    assert set(answer.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    assert answer.headers.getlist("Content-Security-Policy") == [CSP]


# -- rate limits and CSRF ------------------------------------------------------------------


def _plain_view(app: Flask) -> None:
    @app.get("/test-plain")
    def plain() -> str:
        return "ok"


def test_limits_outside_views_are_still_checked_before_each_request(tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'limits.db'}",
        RATELIMIT_ENABLED=True,
        RATELIMIT_DEFAULT="2 per minute",
    )
    _plain_view(app)
    try:
        client = app.test_client()
        codes = [client.get("/test-plain").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
    finally:
        limiter.limit_manager.set_default_limits([])


def test_without_limits_outside_views_the_check_before_each_request_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'limits.db'}", RATELIMIT_ENABLED=True)
    resolved: list[str | None] = []
    original = limiter.limit_manager.resolve_limits

    def resolve(*args: Any, **kwargs: Any) -> Any:
        resolved.append(args[1] if len(args) > 1 else kwargs.get("endpoint"))
        return original(*args, **kwargs)

    monkeypatch.setattr(limiter.limit_manager, "resolve_limits", resolve)
    _plain_view(app)
    assert [app.test_client().get("/test-plain").status_code for _ in range(3)] == [200] * 3
    assert resolved == []


def test_csrf_is_checked_on_posts_and_never_on_gets(tmp_path: Path) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'csrf.db'}", WTF_CSRF_ENABLED=True)

    @app.route("/test-form", methods=["GET", "POST"])
    def form() -> str:
        return "ok"

    @app.post("/test-exempt")
    @csrf.exempt
    def exempt() -> str:
        return "ok"

    client = app.test_client()
    assert client.get("/test-form").status_code == 200
    assert client.post("/test-form").status_code == 400
    assert client.post("/test-exempt").status_code == 200


# -- gunicorn's access log -----------------------------------------------------------------


def test_gunicorn_writes_its_access_log_only_when_one_is_asked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from gunicorn.config import Config

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    import deploy.gunicorn_conf as conf

    json_logs = Config()
    json_logs.set("logconfig_dict", {"version": 1, "disable_existing_loggers": False})
    assert not conf.JsonAccessLogger(json_logs).access_log_enabled
    asked = Config()
    asked.set("accesslog", str(tmp_path / "access.log"))
    logger = conf.JsonAccessLogger(asked)
    try:
        assert logger.access_log_enabled
    finally:
        for handler in list(logger.access_log.handlers):
            logger.access_log.removeHandler(handler)
            handler.close()
