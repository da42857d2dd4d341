"""The request's one commit when the database connection dies under it (a restart)."""

from __future__ import annotations

import psycopg
import pytest
from flask import Flask, make_response
from flask.testing import FlaskClient
from sqlalchemy import text

from scheduler import audit, database
from scheduler.extensions import db
from scheduler.web.commit import commit_request
from tests.factories import Factories
from tests.services import PG_ADMIN_URL


def _lose_connection() -> None:
    """End the session's server connection from outside, as a database restart does."""
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.mark.parametrize(("status", "answered"), [(503, 503), (422, 422), (200, 503), (201, 503)])
def test_a_lost_connection_never_turns_the_answer_into_a_500(
    pg_app: Flask, status: int, answered: int
) -> None:
    with pg_app.test_request_context("/api/v1/holds", method="POST"):
        _lose_connection()
        response = commit_request(make_response("body", status))
        assert response.status_code == answered
    # The pool hands the next request a working connection.
    assert pg_app.test_client().get("/api/v1/services").status_code == 200


def test_a_connection_lost_while_the_access_log_is_written_at_commit_is_a_503(
    pg_app: Flask, make: Factories
) -> None:
    """The access log's rows go through the driver's own cursor at commit, so the lost
    connection surfaces as the driver's error there, not SQLAlchemy's."""
    org_id = make.organisation().id
    db.session.commit()
    with pg_app.test_request_context("/api/v1/bookings", method="POST"):
        db.session.execute(text("SELECT 1"))
        audit.record(org_id, "booking.read", "booking:1")
        _lose_connection()
        response = commit_request(make_response("body", 201))
        assert response.status_code == 503
    assert pg_app.test_client().get("/api/v1/services").status_code == 200


def _end_pooled_connections(database_url: str) -> int:
    """End every server connection of the app's database from outside, as a restart does."""
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


@pytest.fixture
def cut_pool(pg_app: Flask, postgres_database: str) -> FlaskClient:
    """A client whose app's pooled connections were all ended from outside."""
    client = pg_app.test_client()
    assert client.get("/api/v1/services").status_code == 200
    db.session.remove()
    assert _end_pooled_connections(postgres_database) >= 1
    return client


def test_an_idle_connection_that_was_cut_is_replaced_before_use(
    cut_pool: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)  # every pooled one counts as idle
    assert cut_pool.get("/api/v1/services").status_code == 200


def test_a_busy_connection_that_was_cut_costs_one_503_and_the_pool_recovers(
    cut_pool: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 3600.0)  # none counts as idle
    answers = [cut_pool.get("/api/v1/services").status_code for _ in range(3)]
    assert answers == [503, 200, 200]
