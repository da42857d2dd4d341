"""The development blueprint: every page under /dev is a 404 unless the tools are on."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from scheduler.config import dev_tools_enabled
from scheduler.kernel import Problem

bp = Blueprint("dev", __name__, url_prefix="/dev")


def enabled() -> bool:
    """Whether the development tools are on (never in production)."""
    return dev_tools_enabled(current_app)


@bp.before_request
def only_in_development() -> None:
    if not enabled():
        raise Problem(404, "not_found", "No such page.")


@bp.app_context_processor
def banner_values() -> dict[str, Any]:
    """base.html shows the development banner on every page while the tools are on."""
    return {"dev_tools": enabled}
