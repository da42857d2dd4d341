"""Reflow (WCAG 2.1 1.4.10): no staff page scrolls sideways at 320 CSS pixels wide.

Wide tables may scroll inside their own labelled, focusable container; the page itself
must not.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import LiveServer, findings_on_every_page
from tests.e2e.test_staff_accessibility import staff_server, visit_every_page

__all__ = ["staff_server"]  # the fixture, shared with the axe test of the same pages

NARROW = {"width": 320, "height": 640}

WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
    .filter((el) => !el.closest('.table-scroll'))
    .slice(0, 3)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
  return {width: document.documentElement.scrollWidth, wide};
}"""


def overflow(page: Any) -> dict[str, Any] | None:
    """What sticks out of a page wider than the viewport, or None when it fits."""
    found = page.evaluate(WIDEST)
    return found if found["width"] > NARROW["width"] else None


def test_no_staff_page_scrolls_sideways_at_320_px(browser: Any, staff_server: LiveServer) -> None:
    found, problems = findings_on_every_page(
        browser, NARROW, lambda page: visit_every_page(page, staff_server, "fi"), overflow
    )
    assert found == {}
    assert problems == []
