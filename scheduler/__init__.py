"""Etäaika: the Flask application and the booking domain."""

from __future__ import annotations

from typing import Any

from flask import Flask

from scheduler import config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands, jobs."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(config.ROOT / "templates"),
        static_folder=str(config.ROOT / "static"),
    )
    config.load(app, test_config)

    from scheduler import database, jobs, routes, web
    from scheduler.cli import register_commands
    from scheduler.extensions import csrf, db, limiter, migrate, sock
    from scheduler.web import csrf_check, logging_setup

    logging_setup.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"))
    csrf.init_app(app)
    csrf_check.init_app(app)
    limiter.init_app(app)
    sock.init_app(app)
    web.init_app(app)
    routes.register(app)
    register_commands(app)
    jobs.init_app(app)
    return app
