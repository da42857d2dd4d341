"""The week of free times on a phone: a day picker with each day's count of free times,
one day shown at a time, past days marked, arrow keys between days, and the view coming
back to the free times after a filter or week change; the worker drop-down fits 360 px.
axe finds nothing on the phone's view, in Finnish, Swedish and English."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from scheduler.kernel import HELSINKI, local_date, now_utc
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    LiveServer,
    axe_violations,
    new_page,
    overflows_horizontally,
)
from tests.public.conftest import next_monday

pytestmark = pytest.mark.browser

SERVICE = "/o/tunturikyla/s/palveluneuvonta"


def _shown_days(page: Any) -> list[str]:
    return list(
        page.evaluate(
            "() => [...document.querySelectorAll('.day')].filter(d => !d.hidden).map(d => d.id)"
        )
    )


def test_a_phone_shows_one_day_at_a_time_and_the_arrow_keys_move_between_days(
    live_server: LiveServer, browser: Any
) -> None:
    context, page, watch = new_page(browser, PHONE, phone=True)
    try:
        monday = next_monday()
        page.goto(f"{live_server.url}{SERVICE}?week={monday.isoformat()}&lang=fi")
        tabs = page.locator(".day-picker [role=tab]")
        assert tabs.count() == 7
        assert page.locator(".day-picker [role=tablist]").count() == 1
        # Each day says how many free times it has; the first day with some is shown.
        texts = [tabs.nth(i).inner_text().strip() for i in range(7)]
        assert all(re.fullmatch(r"\w+ \d+\.\d+\.\s+(Vapaita: \d+|Ei vapaita)", t) for t in texts)
        assert any("Vapaita:" in t for t in texts), texts
        shown = _shown_days(page)
        assert len(shown) == 1
        # One tab stop for the whole picker: the chosen day; the arrows move between days.
        selected = page.locator(".day-picker [aria-selected=true]")
        selected.focus()
        page.keyboard.press("Home")
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        friday = (monday + timedelta(days=4)).isoformat()
        assert page.evaluate("() => document.activeElement.id") == f"pick-{friday}"
        assert _shown_days(page) == [f"day-{friday}"]
        # From the chosen day, Tab goes straight into that day's times.
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.closest('.day')?.id")
        assert focused == f"day-{friday}"
        assert page.evaluate("() => document.documentElement.scrollHeight") < 3000
        assert not overflows_horizontally(page)
        assert watch.problems == []
    finally:
        context.close()


def test_past_days_are_marked_and_cannot_be_chosen(live_server: LiveServer, browser: Any) -> None:
    today = local_date(now_utc(), HELSINKI)
    if today.weekday() == 0:
        pytest.skip("on a Monday no day of this week is past")
    context, page, _watch = new_page(browser, PHONE, phone=True)
    try:
        page.goto(f"{live_server.url}{SERVICE}?lang=en")
        yesterday = (today - timedelta(days=1)).isoformat()
        link = page.locator(f"#pick-{yesterday}")
        assert "day-link-past" in (link.get_attribute("class") or "")
        assert "Past" in link.inner_text()
        page.evaluate(f"() => document.getElementById('pick-{yesterday}').click()")
        assert "This day is past." in page.locator(f"#day-{yesterday}").inner_text()
        assert page.locator(f"#day-{yesterday} button.slot").count() == 0
    finally:
        context.close()


def test_a_filter_or_week_change_comes_back_to_the_free_times(
    live_server: LiveServer, browser: Any
) -> None:
    context, page, _watch = new_page(browser, PHONE, phone=True)
    try:
        page.goto(f"{live_server.url}{SERVICE}?week={next_monday().isoformat()}&lang=fi")
        page.select_option("#worker", index=1)
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_url(re.compile(r"worker=.*#free-times$"))
        top = page.evaluate(
            "() => document.getElementById('week-heading').getBoundingClientRect().top"
        )
        assert 0 <= top < PHONE["height"] / 2
        page.locator(".week-nav a[rel=next]").click()
        page.wait_for_url(re.compile(r"week=.*#free-times$"))
        assert page.evaluate("() => window.scrollY") > 0
    finally:
        context.close()


def test_the_worker_drop_down_fits_a_360_px_phone(live_server: LiveServer, browser: Any) -> None:
    context, page, _watch = new_page(browser, PHONE, phone=True)
    problems = []
    try:
        for lang in ("fi", "sv", "en"):
            for slug in ("lastenvalvoja", "palveluneuvonta", "lastensuojelu", "vammaispalvelut"):
                page.goto(f"{live_server.url}/o/tunturikyla/s/{slug}?lang={lang}")
                cut = page.evaluate(
                    """() => { const s = document.getElementById('worker');
                      const box = document.querySelector('form.filters').getBoundingClientRect();
                      const cs = getComputedStyle(s);
                      const ctx = document.createElement('canvas').getContext('2d');
                      ctx.font = cs.font;
                      const room = s.clientWidth - parseFloat(cs.paddingLeft) -
                        parseFloat(cs.paddingRight) - 16;
                      const long = [...s.options].map(o => o.text)
                        .filter(t => ctx.measureText(t).width > room);
                      return {outside: s.getBoundingClientRect().right > box.right, long}; }"""
                )
                if cut["outside"] or cut["long"] or overflows_horizontally(page):
                    problems.append((lang, slug, cut))
    finally:
        context.close()
    assert problems == []


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_week_views_have_no_axe_violations(
    live_server: LiveServer, browser: Any, lang: str
) -> None:
    found = {}
    for viewport, phone in ((PHONE, True), (DESKTOP, False)):
        context, page, watch = new_page(browser, viewport, phone=phone, axe=True)
        try:
            page.goto(f"{live_server.url}{SERVICE}?lang={lang}")
            found[f"this week {viewport['width']}"] = axe_violations(page)
            page.goto(f"{live_server.url}{SERVICE}?week={next_monday().isoformat()}")
            page.keyboard.press("Tab")
            found[f"next week {viewport['width']}"] = axe_violations(page)
            assert watch.problems == []
        finally:
            context.close()
    assert {name: v for name, v in found.items() if v} == {}
