"""Schema helpers shared by the migrations and the tests."""

from __future__ import annotations

from sqlalchemy import Connection, text

from scheduler.extensions import db


def ensure_extensions(connection: Connection) -> None:
    """PostgreSQL extensions the schema needs (btree_gist for the exclusion constraint)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))


def import_all_models() -> None:
    """Import every module that defines tables, so the metadata is complete."""
    import importlib

    for module in ("scheduler.models", "notifications.models", "video.models"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def create_all(connection: Connection) -> None:
    """Build the whole schema from the models (tests); deployments use the migrations."""
    import_all_models()
    ensure_extensions(connection)
    db.metadata.create_all(connection)
