"""Shared fixtures: an isolated app and database per test, on SQLite or PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from scheduler import create_app
from scheduler.extensions import db
from scheduler.schema import create_all
from tests.catalogues import compile_all_catalogues
from tests.factories import Factories
from tests.services import PG_ADMIN_URL, need_postgres, postgres_available

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
BASE_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "JOBS_EMBEDDED": False,
}


@pytest.fixture(scope="session", autouse=True)
def catalogues() -> None:
    """The gettext catalogues of every area, compiled where a .po is newer than its .mo."""
    compile_all_catalogues()


def make_app(tmp_path: Path, database_url: str, **extra: Any) -> Flask:
    config = {**BASE_CONFIG, "DATABASE_URL": database_url, **extra}
    app = create_app(config)
    app.instance_path = str(tmp_path)
    return app


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of this test session's own, with the schema built once the way
    production builds it: by the migrations (``flask db upgrade``), not from the models, so
    that every PostgreSQL test (the races above all) runs against the constraints deployed."""
    need_postgres()
    name = f"etaaika_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    app = create_app({**BASE_CONFIG, "DATABASE_URL": url})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        db.engine.dispose()
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate_all() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'test.db'}")
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def pg_app(tmp_path: Path, postgres_database: str) -> Iterator[Flask]:
    app = make_app(tmp_path, postgres_database)
    with app.app_context():
        _truncate_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_app(request: pytest.FixtureRequest) -> Flask:
    """The same test on SQLite and on PostgreSQL."""
    name = "sqlite_app" if request.param == "sqlite" else "pg_app"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def app(sqlite_app: Flask) -> Flask:
    return sqlite_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make() -> Factories:
    """Factories for test data in whichever app context the test runs (SQLite or PostgreSQL)."""
    return Factories()


def pytest_report_header(config: pytest.Config) -> list[str]:
    pg = "yes" if postgres_available() else "NO (PostgreSQL tests will skip)"
    return [f"etaaika: PostgreSQL reachable: {pg}"]


# How many racers a PostgreSQL race test sends at once (``race_app``'s pool holds them all).
RACERS = 8


@pytest.fixture
def race_app(tmp_path: Path, postgres_database: str) -> Iterator[Flask]:
    """A fresh app on the session's migrated PostgreSQL database, emptied first."""
    app = make_app(
        tmp_path,
        postgres_database,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": RACERS + 2, "max_overflow": 5},
    )
    with app.app_context():
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        db.session.execute(db.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()
