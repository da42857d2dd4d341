"""Access and use figures for municipalities, and the families' feedback.

* ``t3``: the pure T3 computation and the counting of free times (definitions there);
* ``access`` / ``activity``: the figures of one organisation, from the database;
* ``snapshot``: the nightly job, one row per (date, service) and (date, unit);
* ``feedback``: the one-time feedback links after a meeting and the anonymous answers;
* ``periods`` / ``charts`` / ``report`` / ``export``: what the administrators see;
* ``feedback_views`` / ``admin_views``: the pages (``blueprints()`` lists their blueprints).
"""

from __future__ import annotations

from flask import Blueprint

from scheduler.figures.feedback import queue_feedback_requests
from scheduler.figures.snapshot import nightly_figures, snapshot_figures


def blueprints() -> list[Blueprint]:
    """The blueprints of the feedback form and of the figure pages, views attached."""
    from scheduler.figures import admin_views, feedback_views  # noqa: F401  (attach views)
    from scheduler.figures.blueprint import feedback_bp, figures_bp

    return [feedback_bp, figures_bp]


__all__ = ["blueprints", "nightly_figures", "queue_feedback_requests", "snapshot_figures"]
