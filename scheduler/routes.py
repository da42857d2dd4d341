"""The one place where blueprints are attached to the app."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from scheduler.api import bp as api_bp

    app.register_blueprint(api_bp)

    from scheduler.public import bp as public_bp

    app.register_blueprint(public_bp)
