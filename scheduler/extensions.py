"""The Flask extensions, created once and bound to an app in ``create_app``.

``notifications`` and ``video`` may import these objects (``db``, ``csrf``, ``limiter``,
``sock``) and ``scheduler.kernel``, and nothing else of ``scheduler`` (see
``tests/test_import_rule.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import flask_limiter
from flask import current_app
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sock import Sock
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so that Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, without its per-request check where it has nothing to check.

    The service's limits are all on views (``@limiter.limit``), and those are checked when
    the view is called. The check Flask-Limiter runs before every request is for limits
    that apply outside views: application-wide, default, blueprint and meta limits and the
    in-memory fallback's own limits. Without any of those it resolves each request's
    exemptions only to find no limit; with any of them it runs as before.

    What it buys: ``benchmarks/request_frame.py`` measured about 95–120 µs of a web
    process's CPU per request (a third of the liveness probe's 370 µs, a tenth of a
    week's slot search). What it relies on, private to Flask-Limiter: the hook
    ``_check_request_limit(callable_name, in_middleware)`` that ``init_app`` registers, and
    where the limits outside views are kept (``limit_manager._application_limits``,
    ``_default_limits``, ``_blueprint_limits``, ``_meta_limits``, ``_in_memory_fallback``).
    pyproject.toml allows only the minor version this was checked against, and
    ``tests/scheduler/test_library_internals.py`` fails when any of it moves.
    """

    def _limits_outside_views(self) -> bool:
        manager = self.limit_manager
        return bool(
            manager._application_limits
            or manager._default_limits
            or manager._blueprint_limits
            or self._meta_limits
            or self._in_memory_fallback
        )

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        if in_middleware and not self._limits_outside_views():
            return
        super()._check_request_limit(callable_name, in_middleware)


def configured_limit(key: str) -> Callable[[], str]:
    """A rate limit read from the app's config when a request comes (``RATELIMIT_PAGES``)."""

    def limit() -> str:
        return str(current_app.config[key])

    limit.__name__ = f"limit_{key.lower()}"
    return limit


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
sock = Sock()
