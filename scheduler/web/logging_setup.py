"""Logging: readable lines in development, one JSON object per line when asked."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from flask import Flask, g, has_request_context

from scheduler.config import dev_tools_enabled

# Fields a record may carry about the request it was written in (see scheduler/ops/requests.py).
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "remote_addr")


class RequestContextFilter(logging.Filter):
    """Give every record written while a request runs that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and has_request_context():
            request_id = g.get("request_id")
            if request_id:
                record.request_id = request_id
        return True


# ``json.dumps(..., ensure_ascii=False)`` builds a new encoder on every call; the request
# log writes a line per request, so one encoder serves them all (it keeps no state).
_encode = json.JSONEncoder(ensure_ascii=False).encode


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = record.__dict__
        for key in REQUEST_FIELDS:
            if key in fields:
                entry[key] = fields[key]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _encode(entry)


def init_app(app: Flask) -> None:
    if app.config.get("LOG_JSON"):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestContextFilter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    elif dev_tools_enabled(app):
        # Messages that go to the log instead of being sent are written at INFO, which
        # Python's last-resort handler hides: in development the log shows them.
        outgoing = logging.getLogger("notifications.outgoing")
        outgoing.setLevel(logging.INFO)
        if not any(getattr(h, "etaaika_outgoing", False) for h in outgoing.handlers):
            handler = logging.StreamHandler()
            handler.etaaika_outgoing = True  # type: ignore[attr-defined]
            handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
            outgoing.addHandler(handler)
