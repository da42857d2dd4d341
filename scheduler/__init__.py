"""Etäaika: the Flask application and the booking domain."""

from __future__ import annotations

from collections.abc import Callable
from inspect import CO_COROUTINE
from types import FunctionType, MethodType
from typing import Any

from flask import Flask

from scheduler import config


class Etaaika(Flask):
    """The Flask application, with a cheaper answer to "is this hook async?"."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # Flask asks this of every hook and view of every request (a dozen times each), and
        # ``inspect.iscoroutinefunction`` unwraps methods and partials to find out. A plain
        # function or method whose code is not a coroutine (and is not marked as one) is
        # returned as it is, as Flask would; anything else goes the way Flask goes.
        plain = func.__func__ if type(func) is MethodType else func
        if (
            type(plain) is FunctionType
            and not plain.__code__.co_flags & CO_COROUTINE
            and "_is_coroutine_marker" not in plain.__dict__
        ):
            return func
        return super().ensure_sync(func)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands, jobs."""
    app = Etaaika(
        __name__,
        instance_relative_config=True,
        template_folder=str(config.ROOT / "templates"),
        static_folder=str(config.ROOT / "static"),
    )
    config.load(app, test_config)

    from scheduler import database, jobs, routes, web
    from scheduler.cli import register_commands
    from scheduler.extensions import csrf, db, limiter, migrate, sock
    from scheduler.web import logging_setup

    logging_setup.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    sock.init_app(app)
    web.init_app(app)
    routes.register(app)
    register_commands(app)
    jobs.init_app(app)
    return app
