"""Every 503 says when to try again, and a 503 at commit is counted as an outage like one
from inside a view."""

from __future__ import annotations

import pytest
from flask import Flask
from prometheus_client import REGISTRY
from sqlalchemy.exc import OperationalError

from scheduler.extensions import db
from scheduler.kernel import Problem


def _outages() -> float:
    return REGISTRY.get_sample_value("etaaika_database_unavailable_total") or 0.0


def test_a_failed_commit_is_a_counted_503_with_retry_after(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lost(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    client = app.test_client()
    assert client.get("/api/v1/services").status_code == 200
    before = _outages()
    monkeypatch.setattr(db.session, "commit", lost)
    answer = client.get("/api/v1/services")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"].isdigit()
    assert _outages() == before + 1


def test_a_503_from_a_view_says_when_to_retry(app: Flask) -> None:
    @app.get("/_test/provider-down")
    def provider_down() -> str:
        raise Problem(503, "provider_unavailable", "The sign-in service cannot be reached.")

    answer = app.test_client().get("/_test/provider-down")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"].isdigit()
