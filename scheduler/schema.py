"""Schema helpers shared by the migrations and the tests."""

from __future__ import annotations

from sqlalchemy import Connection, text

from scheduler.extensions import db


def ensure_extensions(connection: Connection) -> None:
    """PostgreSQL extensions the schema needs (btree_gist for the exclusion constraint)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))


def create_all(connection: Connection) -> None:
    """Build the whole schema from the models (tests); deployments use the migrations."""
    import scheduler.models  # noqa: F401  (registers the models)

    ensure_extensions(connection)
    db.metadata.create_all(connection)
