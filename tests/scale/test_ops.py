"""Probes, metrics, request ids and logs, the proxy fix and the 503 of a missing database,
in one process (the multi-process behaviour is in test_multiprocess and test_faults)."""

from __future__ import annotations

import importlib
import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

import notifications
from scheduler.extensions import db
from scheduler.web.logging_setup import JsonFormatter, RequestContextFilter
from tests.conftest import make_app
from tests.factories import Factories
from tests.notifications.contexts import message_context
from tests.scale.helpers import CLIENT, hourly_starts, iso
from tests.scale.proxy import TcpProxy, free_port
from tests.services import REDIS_URL, need_redis
from tests.video.helpers import links_for, video_booking

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


def sample(client: FlaskClient, name: str) -> float:
    text = client.get("/metrics", environ_base=LOOPBACK).get_data(as_text=True)
    match = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert match, f"{name} missing from:\n{text}"
    return float(match.group(1))


def unreachable_postgres(tmp_path: Path, **extra: Any) -> Flask:
    """An app whose PostgreSQL server does not answer (nothing listens on the port)."""
    return make_app(tmp_path, f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere", **extra)


# -- probes ----------------------------------------------------------------------------------


def test_liveness_answers_while_the_database_is_away(tmp_path: Path) -> None:
    client = unreachable_postgres(tmp_path).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readiness_names_the_database_when_it_does_not_answer(tmp_path: Path) -> None:
    response = unreachable_postgres(tmp_path).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["failed"] == ["database"]
    assert response.json["checks"]["database"].startswith("failed: OperationalError")


def test_readiness_checks_redis_when_it_is_configured(app: Flask) -> None:
    need_redis()
    app.config["REDIS_URL"] = REDIS_URL
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ready",
        "failed": [],
        "checks": {"database": "ok", "redis": "ok"},
    }


def test_readiness_names_redis_when_it_does_not_answer(app: Flask) -> None:
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["redis"]
    assert response.json["checks"]["database"] == "ok"


# -- the database away inside a view -----------------------------------------------------------


def test_api_request_without_database_is_a_503_to_retry(tmp_path: Path) -> None:
    response = unreachable_postgres(tmp_path).test_client().get("/api/v1/services")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "unavailable"
    assert response.headers["Retry-After"] == "5"


def test_page_without_database_is_a_503_page_in_the_familys_language(tmp_path: Path) -> None:
    client = unreachable_postgres(tmp_path).test_client()
    response = client.get("/?lang=sv", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert "text/html" in response.content_type
    page = response.get_data(as_text=True)
    assert 'lang="sv"' in page


def test_database_lost_at_commit_is_a_503_and_the_next_request_works(
    tmp_path: Path, postgres_database: str
) -> None:
    where = urlsplit(postgres_database)
    proxy = TcpProxy(where.hostname or "127.0.0.1", where.port or 5432)
    try:
        netloc = where.netloc.replace(f"{where.hostname}:{where.port}", proxy.url_host)
        app = make_app(tmp_path, where._replace(netloc=netloc).geturl())

        @app.get("/test-work")
        def work_then_lose_the_server() -> str:
            db.session.execute(text("SELECT 1"))  # the transaction is open on the server
            proxy.cut()
            proxy.restore()
            return "done"

        client = app.test_client()
        lost = client.get("/test-work", headers={"Accept": "application/json"})
        assert lost.status_code == 503 and lost.json["error"]["code"] == "unavailable"
        assert client.get("/api/v1/services").status_code == 200
        with app.app_context():
            db.engine.dispose()
    finally:
        proxy.close()


# -- metrics ---------------------------------------------------------------------------------


def test_metrics_are_served_to_loopback_only(client: FlaskClient) -> None:
    assert client.get("/metrics", environ_base=LOOPBACK).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 403
    forwarded = client.get(
        "/metrics", environ_base=LOOPBACK, headers={"X-Forwarded-For": "198.51.100.7"}
    )
    assert forwarded.status_code == 403, "a request through the reverse proxy is not local"


def test_metrics_token_is_required_when_set(app: Flask) -> None:
    app.config.update(METRICS_TOKEN="scrape-secret", METRICS_NETWORKS="10.0.0.0/8")
    client = app.test_client()
    remote = {"REMOTE_ADDR": "192.0.2.10"}
    assert client.get("/metrics", environ_base=LOOPBACK).status_code == 403
    wrong = {"Authorization": "Bearer guess"}
    assert client.get("/metrics", environ_base=remote, headers=wrong).status_code == 403
    right = {"Authorization": "Bearer scrape-secret"}
    response = client.get("/metrics", environ_base=remote, headers=right)
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")


def test_metrics_are_not_rate_limited(app: Flask) -> None:
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="2 per minute")
    client = app.test_client()
    assert all(client.get("/metrics", environ_base=LOOPBACK).status_code == 200 for _ in range(5))


def test_bookings_and_slot_searches_are_counted(client: FlaskClient, make: Factories) -> None:
    service = make.service()
    make.professional(service)
    db.session.commit()
    before = {
        action: sample(client, f'etaaika_bookings_total{{action="{action}"}}')
        for action in ("hold", "confirm", "cancel")
    }
    searches = sample(client, "etaaika_slot_search_seconds_count")

    day = hourly_starts(1)[0].date().isoformat()
    assert client.get(f"/api/v1/services/{service.id}/slots?from={day}&to={day}").status_code == 200
    held = client.post(
        "/api/v1/holds", json={"service_id": service.id, "start_at": iso(hourly_starts(1)[0])}
    )
    refused = client.post(
        "/api/v1/holds", json={"service_id": service.id, "start_at": iso(hourly_starts(1)[0])}
    )
    assert (held.status_code, refused.status_code) == (201, 409)
    done = client.post(
        "/api/v1/bookings",
        json={"hold_token": held.json["hold_token"], "client": CLIENT, "consent": True},
    )
    assert done.status_code == 201
    token = done.json["manage_token"]
    assert client.post(f"/api/v1/manage/{token}/cancel", json={}).status_code == 200

    assert sample(client, "etaaika_slot_search_seconds_count") >= searches + 1
    after = {
        action: sample(client, f'etaaika_bookings_total{{action="{action}"}}') for action in before
    }
    assert {action: after[action] - before[action] for action in before} == {
        "hold": 1,
        "confirm": 1,
        "cancel": 1,
    }, "the refused hold is not counted"


def test_outbox_backlog_and_active_rooms_are_read_at_scrape(
    client: FlaskClient, make: Factories
) -> None:
    now = datetime.now(UTC)
    for n, due in enumerate([now - timedelta(minutes=10), now, now, now + timedelta(hours=2)]):
        notifications.enqueue(
            channel="email",
            recipient=f"perhe{n}@example.org",
            template="cancelled",
            language="fi",
            context=message_context(),
            idempotency_key=f"metrics-{n}",
            due_at=due,
        )
    links_for(video_booking(make, starts_in=timedelta(minutes=-5)))
    links_for(video_booking(make, starts_in=timedelta(hours=3)))
    db.session.commit()

    assert sample(client, "etaaika_outbox_backlog") == 3, "the future message is not due yet"
    assert sample(client, "etaaika_outbox_oldest_due_seconds") >= 600
    assert sample(client, "etaaika_outbox_failed") == 0
    assert sample(client, "etaaika_video_rooms_active") == 1
    assert sample(client, "etaaika_database_up") == 1


def test_metrics_still_answer_while_the_database_is_away(tmp_path: Path) -> None:
    client = unreachable_postgres(tmp_path).test_client()
    assert sample(client, "etaaika_database_up") == 0
    before = sample(client, "etaaika_database_unavailable_total")
    assert client.get("/api/v1/services").status_code == 503
    assert sample(client, "etaaika_database_unavailable_total") == before + 1


# -- request ids, logs, the proxy ---------------------------------------------------------------


def test_each_response_carries_a_request_id(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second
    given = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c21"})
    assert given.headers["X-Request-ID"] == "lb-7f3a9c21"
    odd = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert odd.headers["X-Request-ID"] != "<script>"


def test_request_log_line_is_json_with_id_path_status_and_duration(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["LOG_REQUESTS"] = True

    @app.get("/test-logs")
    def writes_a_log_line() -> str:
        logging.getLogger("scheduler.somewhere").warning("inside the view")
        return "ok"

    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestContextFilter())  # as logging_setup does with LOG_JSON
    response = app.test_client().get("/test-logs?x=1")
    request_id = response.headers["X-Request-ID"]
    lines = {r.name: json.loads(JsonFormatter().format(r)) for r in caplog.records}
    entry = lines["etaaika.requests"]
    assert entry["request_id"] == request_id
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/test-logs", 200)
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert lines["scheduler.somewhere"]["request_id"] == request_id


def test_secret_links_stay_out_of_the_request_log(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["LOG_REQUESTS"] = True
    caplog.set_level(logging.INFO, logger="etaaika.requests")
    secret = "q7Vd0yX2pL9sKfR3tW8zA1bC4eG6hJ5mN0oP2rS4uY8"
    app.test_client().get(f"/api/v1/manage/{secret}")
    app.test_client().get(f"/video/join/{secret}")
    paths = [r.path for r in caplog.records if r.name == "etaaika.requests"]
    assert paths == ["/api/v1/manage/[secret]", "/video/join/[secret]"]
    assert not any(secret in r.getMessage() for r in caplog.records)


def test_probes_are_logged_only_at_debug(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    app.config["LOG_REQUESTS"] = True
    caplog.set_level(logging.INFO, logger="etaaika.requests")
    app.test_client().get("/healthz")
    app.test_client().get("/no-such-page")
    assert [r.path for r in caplog.records if r.name == "etaaika.requests"] == ["/no-such-page"]


def test_client_address_comes_from_the_proxy_when_hops_are_set(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'p.db'}", PROXY_FIX_HOPS=1, LOG_REQUESTS=True)
    caplog.set_level(logging.INFO, logger="etaaika.requests")
    app.test_client().get(
        "/no-such-page", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base=LOOPBACK
    )
    line = next(r for r in caplog.records if r.name == "etaaika.requests")
    assert line.remote_addr == "203.0.113.9"


# -- gunicorn --------------------------------------------------------------------------------


def test_gunicorn_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setenv("ETAAIKA_BIND", "0.0.0.0:8080,unix:/run/etaaika.sock")
    monkeypatch.setenv("ETAAIKA_WEB_WORKERS", "3")
    monkeypatch.setenv("ETAAIKA_WEB_THREADS", "50")
    monkeypatch.setenv("ETAAIKA_GRACEFUL_TIMEOUT", "12")
    import deploy.gunicorn_conf as conf

    conf = importlib.reload(conf)
    assert conf.worker_class == "gthread"
    assert conf.bind == ["0.0.0.0:8080", "unix:/run/etaaika.sock"]
    assert (conf.workers, conf.threads, conf.graceful_timeout) == (3, 50, 12)
    assert conf.accesslog is None
    # Forwarded headers are the application's business (ProxyFix), never gunicorn's.
    assert (conf.secure_scheme_headers, conf.forwarder_headers) == ({}, "")
    # A Unix socket is one path, so every process accepts from the same socket.
    assert conf.reuse_port is False
    monkeypatch.setenv("ETAAIKA_BIND", "0.0.0.0:8080,[::]:8080")
    assert importlib.reload(conf).reuse_port is True  # a listening socket per process
    monkeypatch.setenv("ETAAIKA_SHARED_SOCKET", "true")
    assert importlib.reload(conf).reuse_port is False


def test_gunicorn_access_log_is_one_json_object_per_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gunicorn.config import Config

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    import deploy.gunicorn_conf as conf

    cfg = Config()
    cfg.set("accesslog", "-")
    logger = conf.JsonAccessLogger(cfg)
    response = SimpleNamespace(
        status="201 Created", headers=[("X-Request-ID", "abc12345")], sent=42
    )
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": '/api/v1/manage/q7Vd0yX2pL9sKfR3tW8zA1bC4eG6hJ5mN0oP2rS4uY8/cancel"x',
        "REMOTE_ADDR": "::1",
        "HTTP_USER_AGENT": "test",
    }
    logger.access(response, None, environ, timedelta(milliseconds=12.5))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = capsys.readouterr().out.strip().splitlines()[-1]
    entry = json.loads(line)
    assert entry["path"] == '/api/v1/manage/[secret]/cancel"x' and entry["status"] == 201
    assert entry["request_id"] == "abc12345" and entry["duration_ms"] == 12.5
