"""Reflow (WCAG 2.1 1.4.10): no staff page scrolls sideways at 320 CSS pixels wide.

Wide tables may scroll inside their own labelled, focusable container; the page itself
must not.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import LiveServer, new_page
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


def test_no_staff_page_scrolls_sideways_at_320_px(browser: Any, staff_server: LiveServer) -> None:
    context, page, watch = new_page(browser, NARROW)
    overflowing: dict[str, Any] = {}
    try:
        for name in visit_every_page(page, staff_server, "fi"):
            found = page.evaluate(WIDEST)
            if found["width"] > NARROW["width"]:
                overflowing[name] = found
    finally:
        context.close()
    assert overflowing == {}
    assert watch.problems == []
