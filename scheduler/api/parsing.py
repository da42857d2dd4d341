"""Turning request input into pydantic models, and pydantic errors into one 4xx shape."""

from __future__ import annotations

from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from scheduler.kernel import Problem

M = TypeVar("M", bound=BaseModel)


def _fields(exc: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "body"
        fields[where] = error["msg"]
    return fields


def parse_body(model: type[M]) -> M:
    """The JSON body as ``model``; 400 for something that is not JSON, 422 for bad fields."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Problem(400, "invalid_json", "The request body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Problem(
            422, "invalid_input", "Some fields need to be checked.", _fields(exc)
        ) from exc


def parse_query(model: type[M]) -> M:
    """The query string as ``model``; 422 with one message per field."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise Problem(
            422, "invalid_input", "Some parameters need to be checked.", _fields(exc)
        ) from exc
