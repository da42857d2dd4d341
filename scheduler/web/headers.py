"""Security headers on every response; the CSP allows no inline script and no other origin."""

from __future__ import annotations

from flask import Flask, Response, request

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
    headers.extend(missing)
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_headers)
