"""The figures' two blueprints: the families' feedback form (public) and the
administrators' figure pages (under /staff, signed in, with the staff pages' layout)."""

from __future__ import annotations

from flask import Blueprint

from scheduler.staff.blueprint import load_user, staff_layout_values

feedback_bp = Blueprint("feedback", __name__)

figures_bp = Blueprint("figures", __name__, url_prefix="/staff/figures")
# The same sign-in rule and layout values as every other staff page.
figures_bp.before_request(load_user)
figures_bp.context_processor(staff_layout_values)
