"""The Alembic migrations build the whole schema, the same as the models, on both databases."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from scheduler.extensions import db
from scheduler.schema import import_all_models
from tests.conftest import make_app
from tests.services import PG_ADMIN_URL, need_postgres


def assert_schema_matches_models(app: Flask) -> None:
    with app.app_context():
        upgrade()
        import_all_models()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], "the migrations and the models differ: run `flask db migrate`"
        tables = set(inspect(db.engine).get_table_names())
        assert {"bookings", "services", "access_log"} <= tables
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                exclusions = (
                    connection.exec_driver_sql(
                        "SELECT conname FROM pg_constraint WHERE contype = 'x'"
                    )
                    .scalars()
                    .all()
                )
            assert exclusions == ["bookings_no_overlap"]
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_migrations_build_the_models_schema_on_sqlite(tmp_path: Path) -> None:
    assert_schema_matches_models(make_app(tmp_path, f"sqlite:///{tmp_path / 'migrated.db'}"))


def test_migrations_build_the_models_schema_on_postgres(tmp_path: Path) -> None:
    need_postgres()
    name = f"etaaika_migrate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        assert_schema_matches_models(make_app(tmp_path, url))
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
