"""No log line carries a link's secret or a client's data: the exception line of a failed
request on a manage link, werkzeug's request lines, the request log, and the text of a
database error (no bound parameters)."""

from __future__ import annotations

import logging
import re
from typing import Any, NoReturn

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from scheduler.extensions import db
from scheduler.web.logging_setup import redact
from tests.booking_api import book, next_weekday_at
from tests.factories import Factories

TOKEN = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr"


def _fail(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise RuntimeError("a bug")


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("post", "/api/v1/manage/{token}/cancel", "attendance.client_leaves"),
        ("post", "/api/v1/manage/{token}/reschedule", "reschedule"),
        ("post", "/manage/{token}/move", "reschedule"),
    ],
)
def test_the_exception_line_of_a_failed_request_hides_the_manage_token(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    operation: str,
) -> None:
    service = make.service()
    make.professional(service)
    db.session.commit()
    token = book(client, service.id, next_weekday_at(10))["manage_token"]
    app.config.update(PROPAGATE_EXCEPTIONS=False, LOG_REQUESTS=True)
    monkeypatch.setattr(f"scheduler.booking.{operation}", _fail)
    start = next_weekday_at(12).isoformat()
    body = {} if path.endswith("/cancel") else {"start_at": start}
    with caplog.at_level(logging.INFO):
        response = getattr(client, method)(
            path.format(token=token),
            json=body if "api" in path else None,
            data=None if "api" in path else {"start": start, "confirm": "yes"},
        )
    assert response.status_code == 500
    assert "Exception on " + path.format(token="[secret]") in caplog.text
    assert token not in caplog.text
    for record in caplog.records:
        assert token not in str(record.__dict__)


def test_werkzeug_request_lines_hide_link_secrets(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [
        f"GET /manage/{TOKEN}/move?week=2026-03-02 HTTP/1.1",
        f"GET /feeds/{TOKEN}.ics HTTP/1.1",
        f"POST /api/v1/holds/{TOKEN} HTTP/1.1",
        f"GET /book/{TOKEN}/identify HTTP/1.1",
        f"GET /video/join/{TOKEN} HTTP/1.1",
        f"GET /video/host/{TOKEN[:20]}.{TOKEN[20:]} HTTP/1.1",
        f"GET /feedback/{TOKEN} HTTP/1.1",
        f"GET /staff/oidc/callback?code={TOKEN}&state={TOKEN[::-1]} HTTP/1.1",
    ]
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        for line in lines:
            logging.getLogger("werkzeug").info('%s - - "%s" %s -', "127.0.0.1", line, 200)
    assert len(caplog.records) == len(lines)
    assert TOKEN not in caplog.text and TOKEN[::-1] not in caplog.text
    assert "/feeds/[secret].ics" in caplog.text
    assert "/manage/[secret]/move?week=2026-03-02" in caplog.text


SECRET_ARGUMENTS = ("token", "secret", "ticket")


def test_every_route_that_takes_a_secret_has_it_hidden_in_the_logs(app: Flask) -> None:
    """Not a hand-kept list: each route whose argument is a link's key (the manage, hold,
    feed, feedback, participant and video links) is written with the key hidden."""
    routes = [
        rule
        for rule in app.url_map.iter_rules()
        if any(name in SECRET_ARGUMENTS for name in rule.arguments)
    ]
    assert any(rule.rule.startswith("/attend/") for rule in routes)
    for rule in routes:
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", TOKEN if name in SECRET_ARGUMENTS else "7", path)
        line = f'127.0.0.1 - - "GET {path}?lang=fi HTTP/1.1" 200 -'
        assert TOKEN not in redact(line), rule.rule
        assert "[secret]" in redact(line), rule.rule


def test_request_log_hides_a_token_no_route_matched(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["LOG_REQUESTS"] = True
    with caplog.at_level(logging.INFO, logger="etaaika.requests"):
        assert client.get(f"/manage/{TOKEN}/nothing-here").status_code == 404
    assert TOKEN not in caplog.text
    assert "/manage/[secret]/nothing-here" in caplog.text


def test_a_database_error_logs_no_bound_values(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/_test/failing-statement")
    def failing() -> str:
        db.session.execute(
            text("INSERT INTO no_such_table (name, email) VALUES (:name, :email)"),
            {"name": "Maija Meikäläinen", "email": "maija@example.org"},
        )
        return "not reached"

    with caplog.at_level(logging.INFO):
        response = app.test_client().get("/_test/failing-statement")
    assert response.status_code == 503
    assert "no_such_table" in caplog.text  # the traceback is there
    assert "Maija" not in caplog.text and "maija@example.org" not in caplog.text
