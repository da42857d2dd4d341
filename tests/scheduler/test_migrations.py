"""The Alembic migrations build the whole schema, the same as the models, on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from scheduler.extensions import db
from scheduler.schema import create_all, import_all_models
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


# --- definitions, not names only -----------------------------------------------------

CONSTRAINTS_SQL = """
SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname = 'public' AND c.conrelid <> 0
ORDER BY 1, 2
"""
INDEXES_SQL = """
SELECT tablename, indexname, indexdef FROM pg_indexes
WHERE schemaname = 'public' AND tablename <> 'alembic_version'
ORDER BY 1, 2
"""


def _postgres_definitions(url: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    with psycopg.connect(url) as conn:
        constraints = [
            tuple(row)
            for row in conn.execute(CONSTRAINTS_SQL).fetchall()
            if row[0] != "alembic_version"
        ]
        indexes = [tuple(row) for row in conn.execute(INDEXES_SQL).fetchall()]
    return constraints, indexes


@contextmanager
def _postgres_database(prefix: str) -> Iterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrations_define_every_constraint_and_index_as_the_models_do_on_postgres(
    tmp_path: Path,
) -> None:
    """The definitions themselves, as PostgreSQL prints them: the exclusion constraint's
    expression (buffers included) and its WHERE, every CHECK, key and index."""
    need_postgres()
    with (
        _postgres_database("etaaika_models") as models_url,
        _postgres_database("etaaika_migrated") as migrated_url,
    ):
        app = make_app(tmp_path / "models", models_url)
        with app.app_context():
            with db.engine.begin() as connection:
                create_all(connection)
            db.engine.dispose()
        app = make_app(tmp_path / "migrated", migrated_url)
        with app.app_context():
            upgrade()
            db.engine.dispose()
        models_constraints, models_indexes = _postgres_definitions(models_url)
        migrated_constraints, migrated_indexes = _postgres_definitions(migrated_url)

    exclusion = [c for c in migrated_constraints if c[1] == "bookings_no_overlap"]
    assert len(exclusion) == 1
    assert "tstzrange(block_start_at, block_end_at" in exclusion[0][3]
    assert any(c[2] == "c" for c in models_constraints), "the models have CHECK constraints"
    assert migrated_constraints == models_constraints
    assert migrated_indexes == models_indexes


def _sqlite_definitions(app: Flask) -> dict[str, Any]:
    with app.app_context():
        inspector = inspect(db.engine)
        found = {
            table: {
                "checks": sorted(
                    (c["name"] or "", " ".join(c["sqltext"].split()))
                    for c in inspector.get_check_constraints(table)
                ),
                "indexes": sorted(
                    (i["name"] or "", tuple(i["column_names"]), bool(i["unique"]))
                    for i in inspector.get_indexes(table)
                ),
                "uniques": sorted(
                    tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
                ),
                "foreign_keys": sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"])
                    for f in inspector.get_foreign_keys(table)
                ),
            }
            for table in inspector.get_table_names()
            if table != "alembic_version"
        }
        db.engine.dispose()
    return found


def test_migrations_define_every_check_and_index_as_the_models_do_on_sqlite(
    tmp_path: Path,
) -> None:
    models = make_app(tmp_path / "models", f"sqlite:///{tmp_path / 'models.db'}")
    with models.app_context(), db.engine.begin() as connection:
        create_all(connection)
    migrated = make_app(tmp_path / "migrated", f"sqlite:///{tmp_path / 'migrated.db'}")
    with migrated.app_context():
        upgrade()

    expected = _sqlite_definitions(models)
    assert any(t["checks"] for t in expected.values()), "the models have CHECK constraints"
    assert _sqlite_definitions(migrated) == expected
