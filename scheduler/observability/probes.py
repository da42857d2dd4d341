"""Probes for the load balancer and the orchestrator, and the metrics for Prometheus.

- ``/healthz``: the process answers; it checks nothing else, so a database outage never
  makes the orchestrator kill healthy web processes.
- ``/readyz``: the process can serve: the database answers ``SELECT 1`` and, when
  ``REDIS_URL`` is set, Redis answers ``PING``. Otherwise 503 with a JSON body naming what
  failed, so that the load balancer sends traffic elsewhere until it recovers.
- ``/metrics``: Prometheus text format. With ``METRICS_TOKEN`` set only
  ``Authorization: Bearer <token>`` gets in; without it only direct requests from
  ``METRICS_NETWORKS`` (default: loopback), never one that came through a reverse proxy.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from scheduler.extensions import db, limiter
from scheduler.observability.metrics import render_metrics, scrape_headers
from scheduler.web.errors import error_body

log = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)
limiter.exempt(bp)  # probes and scrapes come often and from few addresses

DEFAULT_METRICS_NETWORKS = ("127.0.0.0/8", "::1/128")
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")
PROBE_TIMEOUT_S = 2.0


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness: the process is alive and serving requests."""
    return jsonify({"status": "ok"})


def _check_database() -> None:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _redis_client() -> Any:
    import redis

    state: dict[str, Any] = current_app.extensions.setdefault("etaaika_ops", {})
    if "redis" not in state:
        state["redis"] = redis.Redis.from_url(
            str(current_app.config["REDIS_URL"]),
            socket_connect_timeout=PROBE_TIMEOUT_S,
            socket_timeout=PROBE_TIMEOUT_S,
        )
    return state["redis"]


def _check_redis() -> None:
    if not _redis_client().ping():
        raise RuntimeError("no PONG")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Readiness: the database and (when configured) Redis answer."""
    checks = {"database": _check_database}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _check_redis
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:
            log.warning("readiness: %s failed: %s", name, type(exc).__name__)
            results[name] = f"failed: {type(exc).__name__}"
    failed = sorted(name for name, result in results.items() if result != "ok")
    body = {"status": "unavailable" if failed else "ready", "failed": failed, "checks": results}
    return jsonify(body), (503 if failed else 200)


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    configured = current_app.config.get("METRICS_NETWORKS") or DEFAULT_METRICS_NETWORKS
    if isinstance(configured, str):
        configured = [part.strip() for part in configured.split(",") if part.strip()]
    return [ipaddress.ip_network(str(net), strict=False) for net in configured]


def metrics_allowed() -> bool:
    """Whether this request may read the metrics (see the module's docstring)."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    if any(header in request.headers for header in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in _networks())


@bp.get("/metrics")
def metrics() -> ResponseReturnValue:
    """The Prometheus metrics of this host's web processes and the shared gauges."""
    if not metrics_allowed():
        return jsonify(error_body("forbidden", "The metrics are not available here.")), 403
    return Response(render_metrics(), headers=scrape_headers())
