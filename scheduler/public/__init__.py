"""The family pages: service tray, week view, booking form, confirmation and manage link.

Server-rendered; they work without JavaScript. Views call the same operations as the
JSON API (``scheduler.booking``), never the API itself. Importing this package attaches
every view to ``bp``.
"""

from __future__ import annotations

from scheduler.public import (
    attend_views,
    book_views,
    identification,
    manage_views,
    page_views,
    tray_views,
)
from scheduler.public.blueprint import bp

__all__ = [
    "attend_views",
    "book_views",
    "bp",
    "identification",
    "manage_views",
    "page_views",
    "tray_views",
]
