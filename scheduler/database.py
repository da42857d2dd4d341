"""Engine set-up per dialect.

On SQLite every transaction starts with ``BEGIN IMMEDIATE``: writers are serialised
by the database file lock, so the check-then-insert of a booking cannot interleave
with another. PostgreSQL needs no such thing: its exclusion constraint refuses overlaps.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Engine, event

from scheduler.extensions import db


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def configure_engine(engine: Engine) -> None:
    """Attach the dialect-specific connection behaviour to ``engine``."""
    if engine.dialect.name == "sqlite" and not event.contains(
        engine, "connect", _sqlite_on_connect
    ):
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)


def init_app(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)


def is_postgres() -> bool:
    return bool(db.session.get_bind().dialect.name == "postgresql")
