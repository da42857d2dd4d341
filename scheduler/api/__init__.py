"""The JSON API under /api/v1."""

from scheduler.api.views import bp

__all__ = ["bp"]
