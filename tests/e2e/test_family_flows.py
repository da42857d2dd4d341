"""A family books, moves and cancels a time end to end in a real browser: on a phone and on
a desktop screen, in Finnish and in Swedish, and once with the keyboard alone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, new_page, overflows_horizontally

TEXTS = {
    "fi": {
        "service": "Palveluneuvonta",
        "next": "Seuraava viikko",
        "book": "Varaa tämä aika",
        "booked": "Aikasi on varattu",
        "left": "Aikaa jäljellä",
        "move": "Siirrä toiseen aikaan",
        "move?": "Siirretäänkö aika?",
        "yes move": "Kyllä, siirrä aika",
        "moved": "Aikasi on siirretty.",
        "cancel": "Peru aika",
        "confirm": "Kyllä, peru aika",
        "cancelled": "Tämä aika on peruttu.",
        "ics": "Lisää kalenteriisi",
    },
    "sv": {
        "service": "Servicerådgivning",
        "next": "Nästa vecka",
        "book": "Boka den här tiden",
        "booked": "Din tid är bokad",
        "left": "Tid kvar",
        "move": "Flytta till en annan tid",
        "move?": "Flytta tiden?",
        "yes move": "Ja, flytta tiden",
        "moved": "Din tid har flyttats.",
        "cancel": "Avboka tiden",
        "confirm": "Ja, avboka tiden",
        "cancelled": "Den här tiden är avbokad.",
        "ics": "Lägg till i din kalender",
    },
}

pytestmark = pytest.mark.browser


def time_of(page: Any) -> str:
    return str(page.locator(".summary div").nth(1).locator("dd").inner_text())


@pytest.mark.parametrize(
    ("screen", "lang"),
    [
        ("phone", "fi"),
        ("phone", "sv"),
        ("desktop", "fi"),
        ("desktop", "sv"),
    ],
)
def test_family_books_moves_and_cancels(
    browser: Any, live_server: LiveServer, screen: str, lang: str
) -> None:
    words = TEXTS[lang]
    phone = screen == "phone"
    context, page, watch = new_page(browser, PHONE if phone else DESKTOP, phone=phone)
    try:
        page.goto(f"{live_server.url}/?lang={lang}")
        page.get_by_role("link", name=words["service"]).click()
        page.wait_for_url(re.compile(r"/s/palveluneuvonta$"))
        page.get_by_role("link", name=words["next"]).click()
        page.wait_for_url(re.compile(r"week="))
        assert not overflows_horizontally(page)
        page.locator("button.slot").first.click()
        page.wait_for_url(re.compile(r"/book/"))

        # The booking form, with the hold counting down.
        assert words["left"] in page.locator("#hold-countdown").inner_text()
        chosen = time_of(page)
        # The service promises anonymity: a nickname, which may be left out.
        page.locator("#name").fill("Maija")
        page.locator("#phone").fill("040 123 4567")
        page.locator("#consent").check()
        page.get_by_role("button", name=words["book"]).click()
        page.wait_for_url(re.compile(r"/booked$"))

        assert page.locator("h1").inner_text() == words["booked"]
        assert time_of(page) == chosen
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile(words["ics"])).click()
        assert download.value.suggested_filename.endswith(".ics")
        manage = page.locator(".manage-link a").get_attribute("href")
        assert re.fullmatch(rf"{live_server.url}/manage/[\w-]{{43}}", manage)

        # Move to another time, with the same week view.
        page.goto(manage)
        page.get_by_role("link", name=words["move"]).click()
        page.wait_for_url(re.compile(r"/move$"))
        page.get_by_role("link", name=words["next"]).click()
        page.wait_for_url(re.compile(r"week="))
        page.locator("button.slot").nth(3).click()
        # Asked first: nothing has moved yet, and the old and new times are both shown.
        assert page.locator("h1").inner_text() == words["move?"]
        other = context.new_page()
        other.goto(manage)
        assert time_of(other) == chosen
        other.close()
        page.get_by_role("button", name=words["yes move"]).click()
        page.wait_for_url(re.compile(r"/manage/[\w-]+$"))
        assert page.get_by_role("status").filter(has_text=words["moved"]).is_visible()
        assert time_of(page) != chosen

        # Cancel, after being asked once more.
        page.get_by_role("link", name=words["cancel"]).click()
        page.wait_for_url(re.compile(r"/cancel$"))
        page.get_by_role("button", name=words["confirm"]).click()
        page.wait_for_url(re.compile(r"/manage/[\w-]+$"))
        assert words["cancelled"] in page.locator("main").inner_text()
        assert not overflows_horizontally(page)
        # The cancel page, opened again, says so and offers nothing that cannot work.
        page.goto(f"{manage}/cancel")
        assert words["cancelled"] in page.locator("main").inner_text()
        assert page.get_by_role("button", name=words["confirm"]).count() == 0
    finally:
        context.close()
    assert watch.problems == []


def tab_to(page: Any, wanted: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text or label is ``wanted``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        name = page.evaluate(
            "() => { const e = document.activeElement; return (e.labels && e.labels[0] ? "
            "e.labels[0].innerText : e.innerText || e.value || '').trim(); }"
        )
        if name == wanted or name.endswith(wanted):
            return
    raise AssertionError(f"{wanted!r} cannot be reached with the Tab key")


def focused_outline(page: Any) -> str:
    return str(page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle"))


def test_family_books_and_cancels_with_the_keyboard_alone(
    browser: Any, live_server: LiveServer
) -> None:
    context, page, watch = new_page(browser, DESKTOP)
    try:
        page.goto(f"{live_server.url}/?lang=fi")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "skip-link"
        assert page.locator(".skip-link").is_visible()
        tab_to(page, "Palveluneuvonta")
        assert focused_outline(page) == "solid"  # focus is visible
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/s/palveluneuvonta"))
        tab_to(page, "Seuraava viikko →")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"week="))
        page.keyboard.press("Tab")
        tab_to(page, "klo 8.00")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/book/"))

        # Sending the empty form moves focus to the list of errors.
        tab_to(page, "Varaa tämä aika")
        page.keyboard.press("Enter")
        page.wait_for_selector("#error-summary")
        assert page.evaluate("() => document.activeElement.id") == "error-summary"
        tab_to(page, "Anna sähköpostiosoite tai puhelinnumero tai molemmat.")
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "email"
        page.keyboard.type("maija@example.org")
        tab_to(
            page,
            "Olen lukenut tietosuojaselosteen ja hyväksyn, että tietojani käytetään "
            "tätä tapaamista varten.",
        )
        page.keyboard.press("Space")
        tab_to(page, "Varaa tämä aika")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/booked(#[\w-]+)?$"))
        assert page.locator("h1").inner_text() == "Aikasi on varattu"

        tab_to(page, page.locator(".manage-link a").inner_text())
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/manage/[\w-]+$"))
        tab_to(page, "Peru aika")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/cancel$"))
        tab_to(page, "Kyllä, peru aika")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/manage/[\w-]+$"))
        assert "Tämä aika on peruttu." in page.locator("main").inner_text()
    finally:
        context.close()
    assert watch.problems == []


def test_a_second_submit_of_the_move_form_is_not_sent(
    browser: Any, live_server: LiveServer
) -> None:
    words = TEXTS["fi"]
    context, page, watch = new_page(browser, DESKTOP)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    try:
        page.goto(f"{live_server.url}/?lang=fi")
        page.get_by_role("link", name=words["service"]).click()
        page.get_by_role("link", name=words["next"]).click()
        page.wait_for_url(re.compile(r"week="))
        page.locator("button.slot").first.click()
        page.wait_for_url(re.compile(r"/book/"))
        page.locator("#name").fill("Maija")
        page.locator("#phone").fill("040 123 4567")
        page.locator("#consent").check()
        page.get_by_role("button", name=words["book"]).click()
        page.wait_for_url(re.compile(r"/booked$"))
        page.goto(str(page.locator(".manage-link a").get_attribute("href")) + "/move")
        page.get_by_role("link", name=words["next"]).click()
        page.wait_for_url(re.compile(r"week="))
        posts.clear()
        # Two submits in a row, as a double click or a double tap gives them.
        sent = page.evaluate(
            """() => {
              const form = document.querySelector("form.week-form");
              const slot = form.querySelectorAll("button.slot")[3];
              const seen = [];
              form.addEventListener("submit", (e) => seen.push(e.defaultPrevented));
              form.requestSubmit(slot);
              form.requestSubmit(slot);
              return [seen, form.getAttribute("aria-busy"), slot.getAttribute("aria-disabled")];
            }"""
        )
        assert sent == [[False, True], "true", "true"]
        # The confirmation page: its form is sent once too.
        page.wait_for_selector("form[data-submit-once] input[name=confirm]", state="attached")
        sent = page.evaluate(
            """() => {
              const form = document.querySelector("form[data-submit-once]");
              const seen = [];
              form.addEventListener("submit", (e) => seen.push(e.defaultPrevented));
              form.requestSubmit();
              form.requestSubmit();
              return seen;
            }"""
        )
        assert sent == [False, True]
        page.wait_for_url(re.compile(r"/manage/[\w-]+$"))
        assert page.get_by_role("status").filter(has_text=words["moved"]).is_visible()
        assert len([url for url in posts if url.endswith("/move")]) == 2  # choose, confirm
    finally:
        context.close()
    assert watch.problems == []
