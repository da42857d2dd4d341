"""Configuration: defaults here, overridden by ``ETAAIKA_*`` environment variables.

Every key can be set as ``ETAAIKA_<KEY>``; values are read as JSON where they parse
(``ETAAIKA_JOBS_EMBEDDED=true``), else as text. See the README for the list.
"""

from __future__ import annotations

import copy
import ipaddress
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from scheduler.ical.address_guard import AddressPolicy

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "ENV_NAME": "development",  # "production" refuses to start without a real secret key
    # The public development key: with it the app serves only loopback (see load()).
    "SECRET_KEY": "development-only-secret-do-not-use-in-production",
    "DATABASE_URL": None,  # default: SQLite in the instance folder
    "REDIS_URL": None,  # signalling hub and rate limits across processes
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_PUBLIC": "30 per minute",
    # Pages and searches a family reads: the manage page, the week views, the slot search.
    "RATELIMIT_PAGES": "120 per minute",
    "RATELIMIT_SIGN_IN": "10 per minute",  # staff sign-in attempts per client address
    "JOBS_EMBEDDED": False,  # run the periodic jobs inside the web process (make run)
    "DEV_LOGIN": False,  # development sign-in for staff, with a banner
    # Development identification of families with test persons and the page of messages
    # sent (/dev/…), with a banner; refused in production.
    "DEV_TOOLS": False,
    "HOLD_MINUTES": 10,
    "DEFAULT_ORGANISATION": "tunturikyla",  # whose service tray "/" shows
    "RETENTION_DAYS": 730,  # personal data of bookings older than this is removed
    "PUBLIC_URL": "http://127.0.0.1:5000",
    "LANGUAGES": ["fi", "sv", "en"],
    "BABEL_DEFAULT_LOCALE": "fi",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Helsinki",
    # One gettext catalogue folder per area of the service, merged at run time.
    "BABEL_TRANSLATION_DIRECTORIES": ";".join(
        str(ROOT / "translations" / area) for area in ("public", "staff", "figures", "video")
    ),
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
}


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from the defaults, the environment, then ``test_config``."""
    app.config.from_mapping(copy.deepcopy(DEFAULTS))
    app.config.from_prefixed_env("ETAAIKA")
    if test_config:
        app.config.from_mapping(test_config)
    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = f"sqlite:///{Path(app.instance_path) / 'etaaika.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    # A failed statement's bound values (a client's name, e-mail, phone) never go into the
    # exception's text, and so never into a log line or a traceback.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "hide_parameters": True,
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
    }
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
        # While Redis restarts, each process counts on its own rather than failing requests.
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if url.startswith("sqlite"):
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(
            app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        )
        options.setdefault("connect_args", {}).update({"timeout": 30, "check_same_thread": False})
    if url.startswith("postgresql"):
        # A server that does not answer fails fast (503), not late. Pooled connections that
        # sat idle are checked before use (scheduler/database.py), busy ones are not.
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(
            app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        )
        options["connect_args"] = {"connect_timeout": 5, **options.get("connect_args", {})}
    # A malformed network in the feed allow-list stops the start, not the first poll.
    AddressPolicy.from_setting(app.config.get("FEED_ALLOW_PRIVATE"))
    if uses_development_key(app):
        _check_development_key(app)
    if app.config["ENV_NAME"] == "production" and is_true(app.config.get("DEV_TOOLS")):
        raise RuntimeError("ETAAIKA_DEV_TOOLS must not be set in production")


def uses_development_key(app: Flask) -> bool:
    """Whether the app signs with the public development key (sessions, video links)."""
    return bool(app.config["SECRET_KEY"] == DEFAULTS["SECRET_KEY"])


def is_loopback_host(host: str | None) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1, ::ffff:127.x)."""
    if not host:
        return False
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback


def _check_development_key(app: Flask) -> None:
    """The development key is in the source code: whoever has it can sign a staff session.
    With it the app serves only this machine, whatever ``ENV_NAME`` says (the requests
    themselves are checked too, see ``scheduler.web``)."""
    public_url = str(app.config.get("PUBLIC_URL") or "")
    if app.config["ENV_NAME"] == "production" or not is_loopback_host(
        urlsplit(public_url).hostname
    ):
        raise RuntimeError(
            "ETAAIKA_SECRET_KEY must be set: the development key is public, so the service "
            f"runs with it only on this machine (loopback), not at {public_url!r} "
            f"(ETAAIKA_ENV_NAME={app.config['ENV_NAME']!r}). Set ETAAIKA_SECRET_KEY to a long "
            "random value, e.g. the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )


def is_true(value: Any) -> bool:
    """A switch of the configuration: on only when explicitly true."""
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def dev_tools_enabled(app: Flask) -> bool:
    """Whether the development tools (``scheduler.dev``) are on: never in production."""
    config = app.config
    return config.get("ENV_NAME") != "production" and is_true(config.get("DEV_TOOLS"))
