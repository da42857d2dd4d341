"""Around every request: its id, its log line, the proxy in front, and a database that
cannot be reached.

- Each request gets an id (the proxy's ``X-Request-ID`` when it sends a sane one, else a
  new one). It is returned in the ``X-Request-ID`` header and carried by every log
  record written while the request runs.
- One log line per request (``LOG_REQUESTS``, on by default with ``LOG_JSON``): method,
  path, status, duration and the client's address.
- ``PROXY_FIX_HOPS`` = the number of reverse proxies in front: the client's address,
  scheme and host are then taken from their ``X-Forwarded-*`` headers (the rate limits are
  per client address, so behind a proxy this must be set).
- A database error inside a view becomes a 503 (and a rollback) instead of a 500: the
  client may simply try again, and the next request gets a fresh connection. A value the
  database refuses (``DataError``) is the input's fault: a 400, not counted as an outage.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from flask import Flask, Response, g, make_response, request, request_finished
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.middleware.proxy_fix import ProxyFix

from scheduler.observability.metrics import DATABASE_UNAVAILABLE, SIGNALLING_SOCKETS
from scheduler.web.commit import rollback
from scheduler.web.errors import render_problem
from scheduler.web.logging_setup import REDACTED, redact

log = logging.getLogger("etaaika.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# Read from the WSGI environ directly: the header mapping raises (and catches) a KeyError
# for a missing header, which is most requests.
_REQUEST_ID_ENVIRON = "HTTP_X_REQUEST_ID"
_REQUEST_ID_LOWER = REQUEST_ID_HEADER.lower()
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Probes come every few seconds; their lines would drown the rest.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
RETRY_AFTER_S = 5
SECRET_ARGS = frozenset({"token", "secret", "ticket"})  # URL parts that are keys


def _signalling_socket() -> bool:
    return request.endpoint == "video.socket"


def _start_request() -> None:
    given = request.environ.get(_REQUEST_ID_ENVIRON)
    g.request_id = given if given and _SANE_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    if _signalling_socket():
        g.counted_socket = True
        SIGNALLING_SOCKETS.inc()


def _end_socket(_exc: BaseException | None) -> None:
    if g.pop("counted_socket", False):
        SIGNALLING_SOCKETS.dec()


def loggable_path(path: str, view_args: dict[str, Any] | None) -> str:
    """The path with its secrets (manage and hold tokens, link secrets, tickets) left out:
    whoever reads the logs must not be able to open a family's booking. The route's own
    secret arguments go first, then whatever ``redact`` knows (paths no route matched)."""
    for name, value in (view_args or {}).items():
        if name in SECRET_ARGS and isinstance(value, str) and value:
            path = path.replace(value, REDACTED)
    return redact(path)


def _has_header(response: Response, lower_name: str) -> bool:
    # Not ``name in headers``: that raises and catches a KeyError when it is missing.
    return any(name.lower() == lower_name for name, _value in response.headers.items())


def _finish_request(sender: Flask, response: Response, **_extra: Any) -> None:
    request_id = g.get("request_id")
    if request_id and not _has_header(response, _REQUEST_ID_LOWER):
        response.headers.add(REQUEST_ID_HEADER, request_id)
    config = sender.config
    if not config.get("LOG_REQUESTS", config.get("LOG_JSON")):
        return
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
    path = request.path
    level = logging.DEBUG if path in QUIET_PATHS else logging.INFO
    if not log.isEnabledFor(level):
        return  # probes at INFO: nothing is written, so nothing need be put together
    path = loggable_path(path, request.view_args)
    method = request.method
    status = response.status_code
    # The record is made and handled directly: ``log.log`` would first walk the stack to
    # find the caller's file and line, which no line of this log shows.
    record = log.makeRecord(
        log.name,
        level,
        __file__,
        0,
        "%s %s %s",
        (method, path, status),
        None,
        "_finish_request",
        {
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "remote_addr": request.remote_addr,
        },
    )
    log.handle(record)


def database_conflict(exc: IntegrityError) -> ResponseReturnValue:
    """A constraint refused a change in the middle of a view: the same answer as at commit."""
    rollback()
    log.info("a constraint refused a change", exc_info=exc)
    return render_problem(409, "conflict", "The change conflicts with another one. Try again.")


def database_refused_value(exc: DataError) -> ResponseReturnValue:
    """The database refused a value (a number out of range, a NUL in a text): the input was
    at fault, not the database. A 400, and no count as an outage."""
    rollback()
    log.info("the database refused a value: %s", type(exc.orig).__name__)
    return render_problem(400, "bad_request", "A value could not be stored. Check the input.")


def database_unavailable(exc: Exception) -> ResponseReturnValue:
    """The database could not be reached or failed: 503, roll back, let the client retry."""
    rollback()
    DATABASE_UNAVAILABLE.inc()
    log.warning("database unavailable: %s", type(exc).__name__, exc_info=exc)
    response = make_response(
        render_problem(503, "unavailable", "The service is briefly unavailable. Try again.")
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def init_app(app: Flask) -> None:
    """Attach the request id, the request log, the proxy fix and the database handlers."""
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    app.before_request(_start_request)
    app.teardown_request(_end_socket)
    # request_finished comes after every after_request hook, so the line shows the status
    # the client really got (the commit hook may still turn a 200 into a 409 or a 503).
    request_finished.connect(_finish_request, app)
    app.register_error_handler(IntegrityError, database_conflict)
    app.register_error_handler(DataError, database_refused_value)
    app.register_error_handler(DBAPIError, database_unavailable)
    app.register_error_handler(PoolTimeout, database_unavailable)
