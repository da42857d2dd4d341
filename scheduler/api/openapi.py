"""The OpenAPI 3.1 document of /api/v1, built from the same pydantic models the views use."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from scheduler.api import schemas

REF = "#/components/schemas/{model}"
MODELS: list[type[BaseModel]] = [
    schemas.ServiceList,
    schemas.ServiceOut,
    schemas.ProfessionalList,
    schemas.SlotList,
    schemas.HoldIn,
    schemas.HoldOut,
    schemas.ConfirmIn,
    schemas.ConfirmOut,
    schemas.BookingDetailOut,
    schemas.ParticipantDetailOut,
    schemas.ManagedOut,
    schemas.CancelIn,
    schemas.AttendanceIn,
    schemas.RescheduleIn,
    schemas.Error,
]


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "Bad request: not a JSON object, or a NUL character in the request",
        404: "Not found",
        409: "Conflict: the time is taken or the booking cannot change",
        410: "Gone: the hold or link ran out",
        403: "Not allowed: identification required, or (cancel) the service's appointments "
        "are cancelled by phone",
        422: "Invalid input",
        429: "Too many requests",
    }
    return {str(c): _json(schemas.Error, text[c]) for c in codes}


def _own_view(description: str) -> dict[str, Any]:
    """The answer to a secret link: the first client's booking, or a participant's view."""
    either = {"anyOf": [_ref(schemas.ManagedOut), _ref(schemas.ParticipantDetailOut)]}
    return {"description": description, "content": {"application/json": {"schema": either}}}


def _body(model: type[BaseModel]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(model)}}}


def _path_param(name: str, kind: str = "integer") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind}
    if kind == "integer":
        schema.update(minimum=1, maximum=2_147_483_647)
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document; cached, as it never changes while the app runs."""
    # Imported here: openapi_staff is only needed once, when the document is first built.
    from scheduler.api import openapi_staff

    models = MODELS + openapi_staff.MODELS
    _, defs = models_json_schema(
        [(m, "serialization") for m in models] + [(m, "validation") for m in models],
        ref_template=REF,
    )
    service_id = _path_param("service_id")
    token = _path_param("token", "string")
    lang = {"type": "string", "minLength": 2, "maxLength": 8, "pattern": "^[a-z]+$"}
    paths: dict[str, Any] = {
        "/services": {
            "get": {
                "summary": "Bookable services",
                "operationId": "listServices",
                "parameters": [_query("organisation", {"type": "string"}, "Organisation slug")],
                "responses": {"200": _json(schemas.ServiceList, "The services")},
            }
        },
        "/services/{service_id}": {
            "get": {
                "summary": "One service",
                "operationId": "getService",
                "parameters": [service_id],
                "responses": {"200": _json(schemas.ServiceOut, "The service"), **_errors(404)},
            }
        },
        "/services/{service_id}/professionals": {
            "get": {
                "summary": "Workers of a service",
                "operationId": "listProfessionals",
                "parameters": [service_id],
                "responses": {
                    "200": _json(schemas.ProfessionalList, "The workers"),
                    **_errors(404),
                },
            }
        },
        "/services/{service_id}/slots": {
            "get": {
                "summary": "Free times",
                "operationId": "listSlots",
                "parameters": [
                    service_id,
                    _query("from", {"type": "string", "format": "date"}, "First local date"),
                    _query(
                        "to",
                        {"type": "string", "format": "date"},
                        f"Last local date (at most {schemas.MAX_SEARCH_DAYS} days on: the "
                        "whole booking horizon in one request; default: 13 days on)",
                    ),
                    _query(
                        "professional_id",
                        {"type": "integer", "minimum": 1, "maximum": 2_147_483_647},
                        "A named worker (404 when no such worker offers the service)",
                    ),
                    _query(
                        "language",
                        lang,
                        "Only workers who speak this language (404 when no worker of the "
                        "service speaks it)",
                    ),
                    _query(
                        "limit",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": schemas.MAX_SLOT_LIMIT,
                            "default": schemas.DEFAULT_SLOT_LIMIT,
                        },
                        "At most this many free times, the first ones. When the answer stops "
                        "there, next_after is the last start given",
                    ),
                    _query(
                        "after",
                        {"type": "string", "format": "date-time"},
                        "Only starts later than this instant (pass next_after to go on)",
                    ),
                ],
                "responses": {"200": _json(schemas.SlotList, "Free times"), **_errors(404, 422)},
            }
        },
        "/holds": {
            "post": {
                "summary": "Hold a time while the form is filled in",
                "operationId": "createHold",
                "requestBody": _body(schemas.HoldIn),
                "responses": {
                    "201": _json(schemas.HoldOut, "Held"),
                    **_errors(400, 404, 409, 422, 429),
                },
            }
        },
        "/holds/{token}": {
            "delete": {
                "summary": "Give a held time back",
                "operationId": "deleteHold",
                "parameters": [token],
                "responses": {"204": {"description": "Released"}, **_errors(404, 410, 429)},
            }
        },
        "/bookings": {
            "post": {
                "summary": "Confirm a held time",
                "operationId": "createBooking",
                "requestBody": _body(schemas.ConfirmIn),
                "responses": {
                    "201": _json(schemas.ConfirmOut, "Booked"),
                    **_errors(400, 403, 404, 410, 422, 429),
                },
            }
        },
        "/manage/{token}": {
            "get": {
                "summary": "A booking by its secret manage token",
                "description": "The first client's token gives the booking with their own "
                "details; a participant's own token (the other parent, an interpreter, a "
                "guest) gives their view, with nobody else's details.",
                "operationId": "getManaged",
                "parameters": [token],
                "responses": {
                    "200": _own_view("The booking, or the participant's view"),
                    **_errors(404, 410, 429),
                },
            }
        },
        "/manage/{token}/cancel": {
            "post": {
                "summary": "Cancel this meeting (or this one and the later ones of its series), or "
                "say that I will not take part",
                "description": "A participant's token: they will not take part. The first "
                "client's token, with another client still taking part: only they leave. "
                "The meeting is cancelled when the service says one client leaving cancels "
                'it, or when no client is left. With the first client\'s token, scope "following" '
                "cancels this meeting and the later ones of its series, told in one notice.",
                "operationId": "cancelManaged",
                "parameters": [token],
                "requestBody": _body(schemas.CancelIn),
                "responses": {
                    "200": _own_view("Cancelled, or noted that they will not take part"),
                    **_errors(400, 403, 404, 409, 410, 422, 429),
                },
            }
        },
        "/manage/{token}/attendance": {
            "post": {
                "summary": "Say whether I take part",
                "description": "Someone who said they will not take part may take part "
                "again while the meeting is ahead; the worker is told.",
                "operationId": "answerManaged",
                "parameters": [token],
                "requestBody": _body(schemas.AttendanceIn),
                "responses": {
                    "200": _own_view("The answer noted"),
                    **_errors(400, 404, 409, 410, 422, 429),
                },
            }
        },
        "/manage/{token}/reschedule": {
            "post": {
                "summary": "Move to another time",
                "operationId": "rescheduleManaged",
                "parameters": [token],
                "requestBody": _body(schemas.RescheduleIn),
                "responses": {
                    "200": _json(schemas.ManagedOut, "Moved"),
                    **_errors(400, 404, 409, 410, 422, 429),
                },
            }
        },
    }
    paths.update(openapi_staff.staff_paths())
    # A NUL character anywhere in a request is refused before any operation: a 400 for all.
    for item in paths.values():
        for operation in item.values():
            operation["responses"].update(_errors(400))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Etäaika API",
            "version": "1",
            "description": "Services, free times, holds, bookings and self-service by "
            "secret token; under /staff, the staff's own operations with an API token. "
            "Instants are UTC (ISO 8601).",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": defs["$defs"],
            "securitySchemes": openapi_staff.SECURITY_SCHEMES,
        },
    }
