"""The staff pages in Chromium: the availability editor is compact and its parts open
without a script, a notice is in view and focused after a change, an absence of whole
days reads as days, and the week's agenda reads well on a phone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.kernel import local_date
from scheduler.models import Booking, Organisation
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, new_page, overflows_horizontally
from tests.e2e.test_staff_accessibility import _ids, staff_server

__all__ = ["staff_server"]  # the fixture, shared with the axe test of the same pages

IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight; }"""
LINES = """(el) => { const range = document.createRange(); range.selectNodeContents(el);
  return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size; }"""


def _sign_in(page: Any, server: LiveServer, lang: str = "fi") -> None:
    with server.app.app_context():
        org_id = db.session.scalar(select(Organisation.id))
        db.session.remove()
    page.goto(f"{server.url}/staff/login?lang={lang}")
    page.select_option("#who", f"admin:{org_id}")
    page.locator(".dev-login button[type=submit]").click()
    page.wait_for_url(f"{server.url}/staff/agenda")


def _finnish(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def test_availability_editor_is_compact_and_its_parts_open_without_a_script(
    browser: Any, staff_server: LiveServer
) -> None:
    _org, _booking, pro_id, _service = _ids(staff_server)
    heights = {}
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context, page, watch = new_page(browser, viewport, phone=name == "phone")
        try:
            _sign_in(page, staff_server)
            page.goto(f"{staff_server.url}/staff/availability/{pro_id}")
            heights[name] = page.evaluate("() => document.documentElement.scrollHeight")
            assert not overflows_horizontally(page)
        finally:
            context.close()
        assert watch.problems == []
    # Before: 15,000 px on a phone and 7,000 px on a desktop for this worker.
    assert heights["phone"] < 4500 and heights["desktop"] < 2500, heights

    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        _sign_in(page, staff_server)
        page.goto(f"{staff_server.url}/staff/availability/{pro_id}")
        assert page.locator("#weekly").get_attribute("open") is not None
        assert not page.locator("#absence-start_date").is_visible()
        page.locator("#absences > summary").click()
        assert page.locator("#absence-start_date").is_visible()
    finally:
        context.close()


def test_absence_notice_is_in_view_and_focused_and_whole_days_read_as_days(
    browser: Any, staff_server: LiveServer
) -> None:
    _org, _booking, pro_id, _service = _ids(staff_server)
    with staff_server.app.app_context():
        booking = db.session.scalars(select(Booking).order_by(Booking.start_at.desc())).first()
        assert booking is not None
        # Well after the demo's bookings, so that nothing needs confirming.
        first = local_date(booking.start_at, booking.organisation.zone) + timedelta(days=40)
        db.session.remove()
    context, page, watch = new_page(browser, DESKTOP)
    try:
        _sign_in(page, staff_server)
        page.goto(f"{staff_server.url}/staff/availability/{pro_id}")
        page.locator("#absences > summary").click()
        for last in (first, first + timedelta(days=2)):
            page.fill("#absence-start_date", first.isoformat())
            page.fill("#absence-end_date", last.isoformat())
            page.locator("#absences form button[type=submit]").last.click()
            page.wait_for_selector("#absences-notices")
            notice = page.locator("#absences-notices")
            assert "Poissaolo lisättiin." in notice.inner_text()
            assert notice.evaluate(IN_VIEW)
            assert notice.evaluate("(el) => document.activeElement === el")
        absences = page.locator("#absences li").all_inner_texts()
        assert any(text.startswith(f"{_finnish(first)} (koko päivä)") for text in absences)
        span = f"{_finnish(first)}–{_finnish(first + timedelta(days=2))} (3 päivää)"
        assert any(text.startswith(span) for text in absences), absences
        assert not any("klo 0.00" in text for text in absences)
        for _ in range(2):  # remove them again, for the other tests
            page.locator("#absences li form button").last.click()
            page.wait_for_selector("#absences-notices")
            assert page.locator("#absences-notices").evaluate(IN_VIEW)
    finally:
        context.close()
    assert watch.problems == []


def test_week_agenda_reads_well_on_a_phone(browser: Any, staff_server: LiveServer) -> None:
    _org, booking_id, pro_id, _service = _ids(staff_server)
    with staff_server.app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking is not None
        day = local_date(booking.start_at, booking.organisation.zone)
        db.session.remove()
    context, page, watch = new_page(browser, PHONE, phone=True)
    try:
        _sign_in(page, staff_server)
        page.goto(f"{staff_server.url}/staff/agenda?professional={pro_id}&view=week&date={day}")
        cells = page.locator(".week-table td.service, .week-table td.status").all()
        assert cells
        broken = [cell.inner_text() for cell in cells if cell.evaluate(LINES) > 1]
        assert broken == []  # not "Lastenva / lvoja", "Vara / ttu"
        assert not overflows_horizontally(page)
    finally:
        context.close()
    assert watch.problems == []
