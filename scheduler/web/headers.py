"""Security headers on every response; the CSP allows no inline script and no other origin.
A 429 or 503 says when to try again (``Retry-After``), whichever part of the app gave it."""

from __future__ import annotations

import math
import time

from flask import Flask, Response, request

from scheduler.extensions import limiter

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob: mediastream:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Every response gets these unless its view set its own value.
HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # Secret links carry a token in the path: never leak it to another site.
    ("Referrer-Policy", "no-referrer"),
    (
        "Permissions-Policy",
        "camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=()",
    ),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
NO_STORE = ("Cache-Control", "no-store")
_LOWERED = tuple((item[0].lower(), item) for item in HEADERS)
# Seconds before a retry: an outage (503) is usually brief; a rate limit says its own.
RETRY_AFTER_UNAVAILABLE_S = 5
RETRY_AFTER_LIMITED_S = 60


def retry_after(status: int) -> str:
    """The ``Retry-After`` of a 429 (when the limit that was hit frees up) or a 503."""
    if status == 429:
        current = limiter.current_limit
        if current is not None:
            return str(max(1, math.ceil(current.reset_at - time.time())))
        return str(RETRY_AFTER_LIMITED_S)
    return str(RETRY_AFTER_UNAVAILABLE_S)


def set_headers(response: Response) -> Response:
    # One pass over the few headers the response already has, then plain appends: the
    # headers' own setdefault scans the list and raises a KeyError for each missing name,
    # which cost more than all the rest of a probe's answer.
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    missing = [item for lower, item in _LOWERED if lower not in present]
    if request.is_secure and "strict-transport-security" not in present:
        missing.append(HSTS)
    if "cache-control" not in present and not request.path.startswith("/static/"):
        missing.append(NO_STORE)
    status = response.status_code
    if status in (429, 503) and "retry-after" not in present:
        missing.append(("Retry-After", retry_after(status)))
    headers.extend(missing)
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_headers)
