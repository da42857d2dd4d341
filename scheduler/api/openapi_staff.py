"""The staff API's part of the OpenAPI document: its paths, models and security scheme."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from scheduler.api import schemas
from scheduler.api import staff_schemas as s

REF = "#/components/schemas/{model}"
SCHEME = "apiToken"
SECURITY_SCHEMES = {
    SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token of the organisation, issued by an administrator on the "
        "staff pages (Administration → API tokens). It acts with its role: a worker, a unit "
        "administrator or an organisation administrator. It stops working when revoked, when it "
        "expires, or when the account that issued it is closed.",
    }
}
MODELS: list[type[BaseModel]] = [
    s.FamilyBookingIn,
    s.FamilyBookedOut,
    s.StaffBookingOut,
    s.MoveIn,
    s.StaffCancelIn,
    s.FoundList,
    s.SeriesIn,
    s.SeriesPreviewOut,
    s.SeriesBookedOut,
    s.ReassignPreviewOut,
    s.ReassignIn,
    s.ReassignOut,
    s.ClosureIn,
    s.ClosureList,
    s.ClosureDetailOut,
]
_TEXT = {
    400: "Bad request: not a JSON object, or a NUL character in the request",
    401: "No usable API token",
    403: "The token's role does not allow this",
    404: "Not found (or of another organisation)",
    # werkzeug checks the method before the id's range: an id out of range on a path
    # that another method also serves is answered so.
    405: "Method not allowed (an id out of range)",
    409: "Conflict: the time is not free, or the booking cannot change",
    422: "Invalid input",
    429: "Too many requests",
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def _op(
    summary: str,
    operation_id: str,
    ok: tuple[int, type[BaseModel] | None, str],
    errors: tuple[int, ...],
    body: type[BaseModel] | None = None,
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    status, model, description = ok
    answer = _json(model, description) if model is not None else {"description": description}
    responses = {str(status): answer}
    for code in sorted({400, 401, 429, *errors}):
        responses[str(code)] = _json(schemas.Error, _TEXT[code])
    operation: dict[str, Any] = {
        "summary": summary,
        "operationId": operation_id,
        "tags": ["staff"],
        "security": [{SCHEME: []}],
        "parameters": parameters or [],
        "responses": responses,
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    return operation


def _id(name: str) -> dict[str, Any]:
    schema = {"type": "integer", "minimum": 1, "maximum": 2_147_483_647}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _plain(field: dict[str, Any]) -> dict[str, Any]:
    """A field's schema as a query parameter: an optional value is left out, never null."""
    field = {k: v for k, v in field.items() if k != "title" and v is not None}
    options = [o for o in field.pop("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        field.update(options[0])
    elif options:
        field["anyOf"] = options
    return field


def _query(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The query parameters of ``model``, one per field."""
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": _plain(field)}
        for name, field in schema["properties"].items()
    ]


def staff_paths() -> dict[str, Any]:
    """The staff API's paths, relative to /api/v1."""
    booking_id, closure_id = _id("booking_id"), _id("closure_id")
    detail = (200, s.StaffBookingOut, "The booking")
    return {
        "/staff/bookings": {
            "post": _op(
                "Book a time for a family",
                "staffBookForFamily",
                (201, s.FamilyBookedOut, "Booked; the manage token is shown only here"),
                (403, 404, 409, 422),
                body=s.FamilyBookingIn,
            )
        },
        "/staff/bookings/{booking_id}": {
            "get": _op(
                "One booking with the client's details",
                "staffReadBooking",
                detail,
                (403, 404),
                parameters=[booking_id],
            )
        },
        "/staff/bookings/{booking_id}/move": {
            "post": _op(
                "Move to another time, reassign to another worker, or both",
                "staffMoveBooking",
                (200, s.StaffBookingOut, "Moved; the family is told"),
                (403, 404, 409, 422),
                body=s.MoveIn,
                parameters=[booking_id],
            )
        },
        "/staff/bookings/{booking_id}/cancel": {
            "post": _op(
                "Cancel a future booking",
                "staffCancelBooking",
                (200, s.StaffBookingOut, "Cancelled; the family is told"),
                (403, 404, 409, 422),
                body=s.StaffCancelIn,
                parameters=[booking_id],
            )
        },
        "/staff/find": {
            "get": _op(
                "Find a time: the unit's free times by service, language, mode and part of day",
                "staffFindTime",
                (200, s.FoundList, "Free times, earliest first"),
                (404, 422),
                parameters=_query(s.FindQuery),
            )
        },
        "/staff/series/preview": {
            "post": _op(
                "Preview a follow-up series: whether each meeting is free",
                "staffPreviewSeries",
                (200, s.SeriesPreviewOut, "The meetings"),
                (403, 404, 422),
                body=s.SeriesIn,
            )
        },
        "/staff/series": {
            "post": _op(
                "Book a follow-up series (meetings that are not free are skipped, or booked "
                "at the other time picked among the preview's choices)",
                "staffBookSeries",
                (201, s.SeriesBookedOut, "Booked; the family is told once"),
                (403, 404, 409, 422),
                body=s.SeriesIn,
            )
        },
        "/staff/reassign": {
            "get": _op(
                "Preview a bulk reassign: a colleague and time for each booking, or none",
                "staffPreviewReassign",
                (200, s.ReassignPreviewOut, "The proposals"),
                (403, 404, 422),
                parameters=_query(s.ReassignQuery),
            ),
            "post": _op(
                "Confirm a bulk reassign: the moves in one transaction",
                "staffConfirmReassign",
                (200, s.ReassignOut, "Moved, and what to phone about"),
                (403, 404, 422),
                body=s.ReassignIn,
            ),
        },
        "/staff/closures": {
            "get": _op(
                "Coming closures",
                "staffListClosures",
                (200, s.ClosureList, "The closures"),
                (403,),
            ),
            "post": _op(
                "Add a closure day or half day",
                "staffAddClosure",
                (201, s.ClosureDetailOut, "Added, with the bookings that fall on it"),
                (403, 404, 422),
                body=s.ClosureIn,
            ),
        },
        "/staff/closures/{closure_id}": {
            "get": _op(
                "One closure with the bookings that fall on it",
                "staffReadClosure",
                (200, s.ClosureDetailOut, "The closure"),
                (403, 404),
                parameters=[closure_id],
            ),
            "delete": _op(
                "Remove a closure",
                "staffRemoveClosure",
                (204, None, "Removed"),
                (403, 404, 405),
                parameters=[closure_id],
            ),
        },
    }
