"""One error shape: ``{"error": {"code", "message", "fields"}}`` for the API, a page elsewhere."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException


class Problem(Exception):
    """An error the client can act on: a 4xx status, a machine code and a message."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


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


def init_app(app: Flask) -> None:
    @app.errorhandler(Problem)
    def handle_problem(exc: Problem) -> ResponseReturnValue:
        return render_problem(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException) -> ResponseReturnValue:
        code = (exc.name or "error").lower().replace(" ", "_")
        response = make_response(render_problem(exc.code or 500, code, exc.description or exc.name))
        original = exc.get_response()
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in original.headers:
                response.headers[header] = original.headers[header]
        return response
