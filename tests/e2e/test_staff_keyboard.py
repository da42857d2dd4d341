"""A worker's day with the keyboard alone, in one run: an administrator signs in, books a
family who phoned, moves the booking to another time, books a follow-up series, cancels one
meeting of it, and moves a sick worker's day to colleagues. No mouse, no form filled by a
script: every step is Tab, arrow keys, typing, Space and Enter."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from scheduler.extensions import db
from scheduler.models import Booking, BookingStatus
from tests.catalogues import compile_staff_catalogues
from tests.e2e.conftest import DESKTOP, LiveServer, new_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]


FOCUSED = (
    "() => { const e = document.activeElement; return ((e.labels && e.labels[0] ? "
    "e.labels[0].innerText : e.innerText || e.value || '')).trim(); }"
)


def tab_to(page: Any, wanted: str, limit: int = 120, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element's text or label starts with
    ``wanted``."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if str(page.evaluate(FOCUSED)).startswith(wanted):
            return
    raise AssertionError(f"{wanted!r} cannot be reached with the Tab key")


def type_date(page: Any, day: date) -> None:
    """Type a date into the focused date input in the order the browser shows its parts
    (month first in an English browser, day first in a Finnish one)."""
    page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year}")
    if page.evaluate("() => document.activeElement.value") != day.isoformat():
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.type(f"{day.day:02d}{day.month:02d}{day.year}")
    assert page.evaluate("() => document.activeElement.value") == day.isoformat()


def weekday_ahead(days: int) -> date:
    """A Tuesday at least ``days`` days ahead (the demo workers work on Tuesdays)."""
    day = date.today() + timedelta(days=days)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return day


def open_booking_form(page: Any, day: date) -> None:
    """From a page with the "book for a family" link: the form with the free times of ``day``."""
    tab_to(page, "Varaa aika perheelle")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/book"))
    tab_to(page, "Päivämäärä")
    type_date(page, day)
    tab_to(page, "Näytä vapaat ajat")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"date={day.isoformat()}"))


def fill_in_client(page: Any, name: str, phone: str) -> None:
    """The client's name and phone, then the first answer of every choice the service asks
    (and how the identity was checked, where the service requires strong identification)."""
    tab_to(page, "Nimi")
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(phone)
    for select in page.locator("main form[method=post] select[id^=q_]").all():
        tab_to(page, select.evaluate("e => e.labels[0].innerText.trim()"))
        page.keyboard.press("ArrowDown")
    if page.locator("#identity_check").count():
        tab_to(page, "Palvelu edellyttää vahvaa tunnistautumista")
        page.keyboard.press("ArrowDown")


def main_text(page: Any) -> str:
    return str(page.locator("main").inner_text())


def test_a_worker_books_moves_and_reassigns_with_the_keyboard_alone(
    browser: Any, live_server: LiveServer
) -> None:
    compile_staff_catalogues()
    live_server.app.config["DEV_LOGIN"] = True
    base = live_server.url
    context, page, watch = new_page(browser, DESKTOP)
    try:
        page.goto(f"{base}/staff/login?lang=fi")
        tab_to(page, "Kirjaudu käyttäjänä")  # the first choice: the organisation's administrator
        tab_to(page, "Kirjaudu ilman salasanaa")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/staff/agenda"))

        # 1. Book for a family who phoned: the first free time of a day three weeks ahead.
        day = weekday_ahead(21)
        open_booking_form(page, day)
        tab_to(page, "klo ")  # the checked time of the group: the first free one
        first_time = str(page.evaluate(FOCUSED))
        fill_in_client(page, "Maija Meikäläinen", "040 123 4567")
        tab_to(page, "Varaa aika")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/staff/bookings/\d+$"))
        booking_url = page.url
        assert "Maija Meikäläinen" in main_text(page)
        assert first_time.removeprefix("klo ") in main_text(page)

        # 2. Move it: another free time on the same day, confirmed on a page of its own.
        tab_to(page, "Siirrä")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/move"))
        tab_to(page, "Näytä vapaat ajat")
        page.keyboard.press("Tab")  # into the group of free times
        for _ in range(60):  # another time of the same worker, with the arrow keys
            page.keyboard.press("ArrowDown")
            chosen = str(page.evaluate(FOCUSED))
            if chosen.endswith("Aino Niemelä") and not chosen.startswith(first_time):
                break
        else:
            raise AssertionError("no other free time of the same worker on the day")
        tab_to(page, "Siirrä tähän")
        page.keyboard.press("Enter")
        page.wait_for_selector("input[name=confirmed]", state="attached")
        tab_to(page, "Vahvista siirto")
        page.keyboard.press("Enter")
        page.wait_for_url(booking_url)
        moved_to = chosen.split(" – ")[0]
        assert moved_to in main_text(page), (moved_to, main_text(page))

        # 3. A follow-up series: every other week, three meetings, previewed, then booked.
        tab_to(page, "Kalenteri", back=True)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/staff/agenda"))
        later = weekday_ahead(7)
        open_booking_form(page, later)
        fill_in_client(page, "Ville Virtanen", "040 765 4321")
        tab_to(page, "Toisto")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")  # every other week
        tab_to(page, "Tapaamisten määrä")
        page.keyboard.type("3")
        tab_to(page, "Varaa aika")
        page.keyboard.press("Enter")
        page.wait_for_selector("#series-title")
        assert page.locator(".series-preview li").count() == 3
        tab_to(page, "Varaa sarja")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/staff/bookings/\d+$"))
        assert "Ville Virtanen" in main_text(page)

        # 4. Cancel the first meeting of the series only, with the reason the family is told.
        tab_to(page, "Syy, joka kerrotaan perheelle")
        page.keyboard.type("Työntekijän koulutuspäivä")
        tab_to(page, "Peru varaus")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/staff/agenda"))
        assert "Varaus peruttiin" in main_text(page)

        # 5. The worker falls ill on the first day: her bookings of that day go to colleagues.
        tab_to(page, "Ylläpito", back=True)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/staff/admin"))
        tab_to(page, "Siirrä työntekijän varaukset kollegoille")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/staff/reassign"))
        tab_to(page, "Alkaen")
        type_date(page, day)
        tab_to(page, "Päättyen")
        type_date(page, day)
        tab_to(page, "Näytä ehdotus")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"first="))
        assert "Ehdotus" in main_text(page)
        tab_to(page, "Siirrä ja ilmoita perheille")
        page.keyboard.press("Enter")
        page.wait_for_selector("p[role=status]")
        assert "Siirrettyjä varauksia" in page.locator("p[role=status]").inner_text()
        booking_id = int(booking_url.rsplit("/", 1)[1])
        with live_server.app.app_context():
            booking = db.session.get(Booking, booking_id)
            assert booking is not None
            assert booking.professional.name != "Aino Niemelä"  # now with a colleague
            assert booking.status == BookingStatus.CONFIRMED
            assert booking.sequence == 2  # moved in time, then to a colleague
            db.session.remove()
    finally:
        context.close()
    assert watch.problems == []
