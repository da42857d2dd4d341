"""Engine set-up per dialect.

On SQLite every transaction starts with ``BEGIN IMMEDIATE``: writers are serialised
by the database file lock, so the check-then-insert of a booking cannot interleave
with another. PostgreSQL needs no such thing: its exclusion constraint refuses overlaps.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

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


# A pooled connection idle for longer than this is checked before use.
IDLE_PING_SECONDS = 10.0


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


class _IdlePing:
    """Check a pooled connection before use when it has sat idle for a while.

    A connection that was in use a moment ago is almost certainly alive, and checking it
    costs a round trip on every request; one that sat idle may have been cut (a database
    restart, a firewall). A busy connection that was cut all the same fails its request
    with 503, and SQLAlchemy then replaces every connection of the pool.
    """

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect

    def __call__(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            self.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool drops this connection and checks out (or opens) another.
            raise DisconnectionError() from exc


def configure_engine(engine: Engine) -> None:
    """Attach the dialect-specific connection behaviour to ``engine``."""
    if engine.dialect.name == "sqlite" and not event.contains(
        engine, "connect", _sqlite_on_connect
    ):
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    if (
        engine.dialect.name == "postgresql"
        and not engine.pool._pre_ping
        and not event.contains(engine, "checkin", _note_checkin)
    ):
        event.listen(engine, "checkin", _note_checkin)
        event.listen(engine, "checkout", _IdlePing(engine))


def init_app(app: Flask) -> None:
    from scheduler.availability import closures
    from scheduler.availability import versions as schedule_versions

    schedule_versions.register()
    closures.register()
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)


def is_postgres() -> bool:
    return bool(db.session.get_bind().dialect.name == "postgresql")
