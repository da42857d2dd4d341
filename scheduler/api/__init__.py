"""The JSON API under /api/v1: the public API (``bp``) and the staff API (``staff_bp``,
/api/v1/staff, authenticated by API tokens)."""

from scheduler.api import staff_admin_views, staff_views  # noqa: F401  (they add views to staff_bp)
from scheduler.api.staff_blueprint import bp as staff_bp
from scheduler.api.views import bp

__all__ = ["bp", "staff_bp"]
