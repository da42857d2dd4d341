"""Booking feeds for staff calendars: GET /feeds/<token>.ics, and the .ics download helper.

The token in the address is the only credential (calendar clients cannot sign in), so
it is 256 random bits, stored only hashed and revocable. The feed holds no client data.
"""

from __future__ import annotations

import hashlib
from typing import cast

from flask import Blueprint, Response, abort, request

from scheduler.extensions import limiter
from scheduler.ical.export import render_feed
from scheduler.ical.feed_data import feed_contents, find_token
from scheduler.ical.settings import setting
from scheduler.kernel import now_utc

bp = Blueprint("feeds", __name__)


def _feed_limit() -> str:
    return str(setting("FEED_RATELIMIT"))


@bp.get("/feeds/<token>.ics")
@limiter.limit(_feed_limit)
def booking_feed(token: str) -> Response:
    """The feed of a worker's or a unit's bookings, with ETag, Last-Modified and 304."""
    row = find_token(token)
    if row is None:
        abort(404)
    events, name, zone, last_change = feed_contents(row, now_utc())
    body = render_feed(events, name, zone, row.language)
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.set_etag(hashlib.sha256(body).hexdigest()[:40])
    response.last_modified = last_change
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return cast(Response, response.make_conditional(request))


def ics_download(body: bytes, filename: str = "ajanvaraus.ics") -> Response:
    """A response that offers ``body`` (from ``booking_ics``) as a calendar file to save."""
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
