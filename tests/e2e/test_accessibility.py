"""axe-core finds no violations on any family page, in Finnish, Swedish and English;
the pages reflow at 320 px without horizontal scrolling (WCAG 1.4.10)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import (
    DESKTOP,
    LiveServer,
    axe_violations,
    findings_on_every_page,
    new_page,
    overflows_horizontally,
)
from tests.public.conftest import next_monday

HEADINGS = {
    "fi": ("Varaa etäaika", "Tietosi", "Aikasi on varattu"),
    "sv": ("Boka en distanstid", "Dina uppgifter", "Din tid är bokad"),
    "en": ("Book a remote appointment", "Your details", "Your time is booked"),
}

pytestmark = pytest.mark.browser


def visit_every_page(page: Any, server: LiveServer, lang: str) -> Iterator[str]:
    """Walk through every family page as a family would; yields (name, page) at each one."""
    base = server.url
    tray, form_heading, booked_heading = HEADINGS[lang]
    page.goto(f"{base}/?lang={lang}")
    assert page.locator("h1").inner_text() == tray
    yield "tray"
    week = next_monday().isoformat()
    page.goto(f"{base}/o/tunturikyla/s/palveluneuvonta?week={week}")
    assert page.locator("html").get_attribute("lang") == lang  # remembered
    yield "service"
    page.select_option("#worker", index=1)
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"worker="))
    yield "service, named worker"
    page.locator("button.slot").first.click()
    page.wait_for_url(re.compile(r"/book/"))
    assert page.locator("h1").inner_text() == form_heading
    yield "booking form"
    page.locator(".booking-form button[type=submit]").first.click()
    page.wait_for_selector("#error-summary")
    yield "booking form with errors"
    page.fill("#name", "Maija Meikäläinen")
    page.fill("#email", "maija@example.org")
    page.check("#consent")
    page.locator(".booking-form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/booked$"))
    assert page.locator("h1").inner_text() == booked_heading
    yield "confirmation"
    manage = page.locator(".manage-link a").get_attribute("href")
    page.goto(manage)
    yield "manage"
    page.goto(f"{manage}/cancel")
    yield "cancel"
    page.goto(f"{manage}/move?week={week}")
    yield "move"
    page.locator("button.slot").nth(2).click()
    page.wait_for_selector("input[name=confirm]", state="attached")
    yield "move, asked to confirm"
    page.goto(f"{base}/o/tunturikyla/s/lastenvalvoja?week={week}")
    page.locator("button.slot").first.click()
    page.wait_for_url(re.compile(r"/book/"))
    yield "identification"
    page.locator("form[action$='/identify'] button").click()
    page.wait_for_url(re.compile(r"/dev/identify$"))
    yield "development identification"
    page.goto(f"{base}/dev/messages")
    assert page.locator("article.message").count() > 0
    yield "messages sent"
    server.app.config["DEV_TOOLS"] = False
    try:
        page.goto(f"{base}/o/tunturikyla/s/lastenvalvoja?week={week}")
        assert page.locator("#identification-unavailable").is_visible()
        yield "service, identification unavailable"
    finally:
        server.app.config["DEV_TOOLS"] = True
    page.goto(f"{base}/o/tunturikyla/s/palveluneuvonta?week={week}&worker=abc")
    assert page.locator("#worker-unknown").is_visible()
    yield "service, a worker who does not offer it"
    page.goto(f"{base}/accessibility")
    yield "accessibility statement"
    page.goto(f"{base}/privacy")
    yield "privacy notice"
    page.goto(f"{base}/manage/no-such-link")
    yield "error page"


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_family_page_passes_axe(browser: Any, live_server: LiveServer, lang: str) -> None:
    found, problems = findings_on_every_page(
        browser,
        DESKTOP,
        lambda page: visit_every_page(page, live_server, lang),
        axe_violations,
        axe=True,
    )
    assert found == {}
    assert problems == []


def test_pages_reflow_at_320_px(browser: Any, live_server: LiveServer) -> None:
    found, problems = findings_on_every_page(
        browser,
        {"width": 320, "height": 640},
        lambda page: visit_every_page(page, live_server, "fi"),
        overflows_horizontally,
        phone=True,
    )
    assert found == {}
    assert problems == []


FITS = """() => { const s = document.querySelector('#worker');
  const style = getComputedStyle(s);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = style.font;
  const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
  return [...s.options].filter(o => ctx.measureText(o.text).width > room).map(o => o.text); }"""


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_worker_option_fits_the_drop_down_on_a_phone(
    browser: Any, live_server: LiveServer, lang: str
) -> None:
    context, page, watch = new_page(browser, {"width": 360, "height": 740}, phone=True)
    try:
        for slug in ("palveluneuvonta", "lastenvalvoja", "vammaispalvelut"):
            page.goto(f"{live_server.url}/o/tunturikyla/s/{slug}?lang={lang}")
            assert page.evaluate(FITS) == [], slug
    finally:
        context.close()
    assert watch.problems == []
