"""Logging: readable lines in development, one JSON object per line when asked, and never
a secret of a link (manage, hold, feed, video and feedback tokens, sign-in codes) in any
line: ``redact`` takes them out of every record the application, werkzeug and the request
log write."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from flask import Flask, g, has_request_context

from scheduler.config import dev_tools_enabled

# Fields a record may carry about the request it was written in (see scheduler/ops/requests.py).
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "remote_addr")


# A path segment that is a key: the one after these prefixes (the routes whose argument
# is a token, secret or ticket), up to the next "/", "?", space or quote (".ics" kept).
_SECRET_IN_PATH = re.compile(
    r"(/(?:api/v1/)?(?:manage|holds|book|feeds|feedback|attend)/|/video/(?:join|host|check|ws)/)"
    r"(?!\[secret\])[^/\s?#\"'<>]+?(?=\.ics(?![\w-])|[/\s?#\"'<>]|$)"
)
# Query parameters that carry keys (an OpenID Connect callback's code and state).
_SECRET_IN_QUERY = re.compile(
    r"([?&](?:token|secret|ticket|code|state|session_state|id_token)=)[^&\s#\"'<>]*"
)
REDACTED = "[secret]"


def redact(text: str) -> str:
    """``text`` with every link secret in a path or query replaced by ``[secret]``."""
    if "/" not in text:
        return text
    text = _SECRET_IN_PATH.sub(lambda m: m.group(1) + REDACTED, text)
    return _SECRET_IN_QUERY.sub(lambda m: m.group(1) + REDACTED, text)


class RedactingFilter(logging.Filter):
    """Take link secrets out of a record's message and its ``path`` field."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        path = record.__dict__.get("path")
        if isinstance(path, str):
            record.path = redact(path)
        return True


REDACTING = RedactingFilter()
# The loggers that write request paths: Flask's "Exception on <path>" (the app's logger),
# werkzeug's development server, and the request log.
_PATH_LOGGERS = ("werkzeug", "etaaika.requests")


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
    for logger in (app.logger, *map(logging.getLogger, _PATH_LOGGERS)):
        if REDACTING not in logger.filters:
            logger.addFilter(REDACTING)
    if app.config.get("LOG_JSON"):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestContextFilter())
        handler.addFilter(REDACTING)  # whatever logger a record comes from
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
