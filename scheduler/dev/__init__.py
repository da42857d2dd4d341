"""Development tools for trying the whole service on one machine (``make run``): a
development identification service with test persons, and a page of every message sent.

They exist only when ``ETAAIKA_DEV_TOOLS`` is true, which production refuses
(``scheduler.config``); every page of the service then shows a banner. Importing this
package attaches every view to ``bp``.
"""

from __future__ import annotations

from scheduler.dev import identification, messages
from scheduler.dev.blueprint import bp, enabled

__all__ = ["bp", "enabled", "identification", "messages"]
