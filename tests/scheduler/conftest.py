"""Fixtures of the scheduler tests: an app whose pool lets every racer of a PostgreSQL race
hold a connection at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from scheduler.extensions import db
from tests.conftest import make_app

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
