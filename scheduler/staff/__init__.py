"""Staff pages: sign-in, agenda, availability editor, administration and the access log.

Importing the package attaches every view to the blueprint ``bp``.
"""

from scheduler.staff import (  # noqa: F401  (each module adds its views to bp)
    admin_closures,
    admin_interpreters,
    admin_log,
    admin_org,
    admin_services,
    admin_tokens,
    admin_workers,
    agenda,
    auth,
    book_views,
    find_views,
    hours,
    move_views,
    participant_views,
    people_views,
)
from scheduler.staff.blueprint import bp

__all__ = ["bp"]
