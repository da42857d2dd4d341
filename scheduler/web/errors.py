"""One error shape: ``{"error": {"code", "message", "fields"}}`` for the API, a page elsewhere."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from scheduler.kernel import Problem


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def render_problem(
    status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> ResponseReturnValue:
    if wants_json():
        return jsonify(error_body(code, message, fields)), status
    return render_template("error.html", status=status, code=code, message=message), status


# Headers of werkzeug's own answer that tell the client what to do next; kept on ours.
KEPT_HEADERS = {name.lower(): name for name in ("Allow", "Retry-After", "WWW-Authenticate")}


def _exception_headers(exc: HTTPException) -> Iterable[tuple[str, str]]:
    """The headers werkzeug's answer to ``exc`` would carry, without rendering its HTML page
    (every 404 and 405 comes this way)."""
    if exc.response is None and type(exc).get_response is HTTPException.get_response:
        return exc.get_headers()
    return exc.get_response().headers.items()


def init_app(app: Flask) -> None:
    @app.errorhandler(Problem)
    def handle_problem(exc: Problem) -> ResponseReturnValue:
        return render_problem(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException) -> ResponseReturnValue:
        code = (exc.name or "error").lower().replace(" ", "_")
        response = make_response(render_problem(exc.code or 500, code, exc.description or exc.name))
        kept: dict[str, str] = {}
        for header, value in _exception_headers(exc):
            name = KEPT_HEADERS.get(header.lower())
            if name and name not in kept:
                kept[name] = value
        for name, value in kept.items():
            response.headers[name] = value
        return response
