"""Running the service at scale: probes, metrics, request ids and logs, the reverse proxy,
and clean answers while the database is away. See "Deployment at scale" in the README."""

from __future__ import annotations

from flask import Flask

from scheduler.observability import metrics, requests
from scheduler.observability.probes import bp


def init_app(app: Flask) -> None:
    """Register the probes and metrics, the request hooks and the database error handlers."""
    requests.init_app(app)
    metrics.count_booking_commits()
    app.register_blueprint(bp)
