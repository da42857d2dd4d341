"""One commit per request.

Views and operations only flush. When a request ends with a response below 400 its
transaction is committed once here; any error response or exception rolls it back,
so bad input never leaves a trace in the database. Access-log rows for refused
attempts are written after that rollback, in a transaction of their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, g, make_response
from sqlalchemy import event
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from scheduler.extensions import db
from scheduler.web.errors import render_problem

log = logging.getLogger(__name__)


def after_rollback(action: Callable[[], None]) -> None:
    """Run ``action`` in a fresh transaction if this request is rolled back."""
    g.setdefault("after_rollback", []).append(action)


def rollback() -> None:
    """Undo the request's transaction. When the connection itself is gone (the database
    restarted), there is nothing left to undo: the pool replaces the connection on next use."""
    try:
        db.session.rollback()
    except DBAPIError:
        log.warning("rollback failed: the database connection was lost", exc_info=True)


def _run_after_rollback() -> None:
    actions: list[Callable[[], None]] = g.pop("after_rollback", [])
    if not actions:
        return
    try:
        for action in actions:
            action()
        db.session.commit()
    except Exception:
        log.exception("could not record refused access")
        rollback()


def _session_in_use() -> bool:
    """Whether this request's session has anything to commit or roll back.

    Probes, refused requests and many 404s never touch the database; asking the scoped
    session for ``commit()`` would first create a session and a transaction only to end
    them at once. A session that exists but holds no transaction and no pending change
    (nothing was read or written since it was made) has nothing to end either.
    """
    if not db.session.registry.has():
        return False
    session = db.session()
    return session.in_transaction() or bool(session.new or session.dirty or session.deleted)


_WROTE = "etaaika_wrote"


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, _context: object) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_write(session: Session, transaction: object) -> None:
    if getattr(transaction, "parent", None) is None:
        session.info.pop(_WROTE, None)


def wait_outside_transaction() -> None:
    """End the request's transaction before it waits on the network (the first read of a
    calendar feed): on SQLite an open transaction holds the database's write lock, and a
    slow calendar server must not stop bookings. Only a transaction that has written
    nothing may end this way; the next query begins a new one, and the request's one
    commit still comes at its end."""
    session = db.session()
    if session.new or session.dirty or session.deleted or session.info.get(_WROTE):
        raise RuntimeError("this request has written; it cannot wait outside its transaction")
    session.rollback()


def commit_request(response: Response) -> Response:
    if response.status_code >= 400:
        if _session_in_use():
            rollback()
        _run_after_rollback()
        return response
    if not _session_in_use():
        g.pop("after_rollback", None)
        return response
    try:
        db.session.commit()
    except IntegrityError:
        rollback()
        log.info("commit refused by a constraint", exc_info=True)
        # An after_request hook must hand a Response to the next one, not a (body, status) tuple.
        return make_response(
            render_problem(409, "conflict", "The change conflicts with another one. Try again.")
        )
    except DataError as exc:
        rollback()
        log.info("the database refused a value at commit: %s", type(exc.orig).__name__)
        return make_response(
            render_problem(400, "bad_request", "A value could not be stored. Check the input.")
        )
    except DBAPIError:
        return _unavailable_at_commit()
    except Exception as exc:
        # The access log appends its rows through the driver's own cursor at commit
        # (scheduler/audit.py): a connection lost there raises the driver's error, which
        # SQLAlchemy has not wrapped.
        if not isinstance(exc, _driver_error()):
            raise
        return _unavailable_at_commit()
    g.pop("after_rollback", None)
    return response


def _driver_error() -> type[Exception]:
    """The base class of the database driver's errors (PEP 249's ``Error``)."""
    error: type[Exception] = db.engine.dialect.loaded_dbapi.Error
    return error


def _unavailable_at_commit() -> Response:
    # Here, not at the top: scheduler.observability builds on this module.
    from scheduler.observability.metrics import DATABASE_UNAVAILABLE

    rollback()
    DATABASE_UNAVAILABLE.inc()  # counted like a 503 from inside a view
    log.warning("database unavailable at commit", exc_info=True)
    return make_response(
        render_problem(503, "unavailable", "The service is briefly unavailable. Try again.")
    )


def init_app(app: Flask) -> None:
    app.after_request(commit_request)

    @app.teardown_request
    def rollback_on_exception(exc: BaseException | None) -> None:
        if exc is not None:
            rollback()
