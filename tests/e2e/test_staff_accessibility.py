"""axe-core finds no violations on any staff page, in Finnish, Swedish and English; the
live preview of the availability editor works in the browser under the CSP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.availability.holidays import holiday_dates
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date, now_utc
from scheduler.models import Booking, CalendarFeed, Organisation, Professional
from scheduler.tokens import token_hash
from tests.catalogues import compile_staff_catalogues
from tests.e2e.conftest import (
    DESKTOP,
    LiveServer,
    axe_violations,
    findings_on_every_page,
    new_page,
)

HEADINGS = {
    "fi": "Henkilöstön kirjautuminen",
    "sv": "Inloggning för personal",
    "en": "Staff sign-in",
}


@pytest.fixture(scope="module")
def staff_server(live_server: LiveServer) -> LiveServer:
    compile_staff_catalogues()
    live_server.app.config["DEV_LOGIN"] = True
    with live_server.app.app_context():
        # A calendar that went stale, so that the admin home lists it.
        pro = db.session.scalars(select(Professional).order_by(Professional.id)).first()
        assert pro is not None
        db.session.add(
            CalendarFeed(
                professional_id=pro.id,
                url="https://calendar.example/stale.ics",
                label="Outlook",
                created_at=now_utc() - timedelta(days=3),
                last_success_at=now_utc() - timedelta(days=2),
                last_attempt_at=now_utc(),
                last_error="http_error",
                consecutive_failures=9,
                report={},
            )
        )
        db.session.commit()
        db.session.remove()
    return live_server


def _ids(server: LiveServer) -> tuple[int, int, int, int]:
    with server.app.app_context():
        org_id = db.session.scalar(select(Organisation.id))
        booking = db.session.scalars(
            select(Booking).where(Booking.status == "confirmed").order_by(Booking.start_at)
        ).first()
        assert booking is not None and org_id is not None
        pro = db.session.get(Professional, booking.professional_id)
        assert pro is not None
        result = (org_id, booking.id, pro.id, booking.service_id)
        db.session.remove()
    return result


def _booking_day(server: LiveServer, booking_id: int) -> str:
    """The local date of a booking, as the date input takes it."""
    with server.app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking is not None
        day = local_date(booking.start_at, booking.organisation.zone).isoformat()
        db.session.remove()
    return day


def _open_day(server: LiveServer, days_ahead: int) -> date:
    """The first day ``days_ahead`` Helsinki days from today or later that is not a public
    holiday (24.12 is closed, and the walk books a time on the day)."""
    day = local_date(now_utc(), HELSINKI) + timedelta(days=days_ahead)
    with server.app.app_context():
        region = db.session.scalar(select(Organisation.holiday_region))
        db.session.remove()
    closed = set(holiday_dates(region, day.year, day.year + 1))
    while day in closed:
        day += timedelta(days=1)
    return day


def _manage_token(server: LiveServer, booking_id: int) -> str:
    """A known manage link for a booking (the real one is only in the family's message)."""
    token = f"axe-walk-{booking_id}-manage-link-of-the-series"
    with server.app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking is not None and booking.series_id is not None
        booking.manage_token_hash = token_hash(token)
        db.session.commit()
        db.session.remove()
    return token


def visit_every_page(page: Any, server: LiveServer, lang: str) -> Iterator[str]:
    """Every staff page an organisation administrator sees; yields each page's name."""
    base = server.url
    org_id, booking_id, pro_id, service_id = _ids(server)
    page.goto(f"{base}/staff/login?lang={lang}")
    assert page.locator("h1").inner_text() == HEADINGS[lang]
    yield "sign-in"
    page.select_option("#who", f"admin:{org_id}")
    page.locator(".dev-login button[type=submit]").click()
    page.wait_for_url(f"{base}/staff/agenda")
    assert page.locator("html").get_attribute("lang") == lang
    yield "agenda (no worker of own)"
    page.goto(f"{base}/staff/agenda?professional={pro_id}&view=week")
    yield "agenda, week"
    page.goto(f"{base}/staff/bookings/{booking_id}")
    yield "booking"
    page.goto(f"{base}/staff/agenda?professional={pro_id}&view=day")
    yield "agenda, day"
    far = _open_day(server, 20).isoformat()
    page.goto(f"{base}/staff/find?date={far}&part=afternoon")
    yield "find a time"
    page.goto(f"{base}/staff/book?professional={pro_id}&service={service_id}&date={far}")
    yield "book for a family"
    page.locator("#start-other").check()
    # An evening of its own for each language's run: they share one server.
    page.fill("#other_time", {"fi": "18:00", "sv": "19:00", "en": "20:00"}[lang])
    page.locator("#outside_hours").check()
    page.fill("#name", "Maija Meikäläinen")
    page.fill("#phone", "040 123 4567")
    page.locator("#send_messages").uncheck()
    if page.locator("#identity_check").count():
        page.select_option("#identity_check", "id_card")
    for question in page.locator("select[id^=q_]").all():
        question.select_option(index=1)
    for question in page.locator("textarea[id^=q_]").all():
        question.fill("Kysymys")
    page.locator("main form[method=post] button[type=submit]").click()

    page.wait_for_selector(".qr-code svg")
    yield "printed note for the family"
    # The series on a day of its own for each language's run (a worker has a daily limit).
    day = _open_day(server, {"fi": 21, "sv": 22, "en": 23}[lang]).isoformat()
    page.goto(f"{base}/staff/book?professional={pro_id}&service={service_id}&date={day}")
    page.locator("#start-other").check()
    # Evening meetings without booking outside the weekly hours: none fits, so each
    # offers the worker's nearest free times instead.
    page.fill("#other_time", {"fi": "18:00", "sv": "19:00", "en": "20:00"}[lang])
    page.fill("#name", "Maija Meikäläinen")
    page.fill("#phone", "040 123 4567")
    page.select_option("#repeat", "2")
    page.fill("#count", "3")
    if page.locator("#identity_check").count():
        page.select_option("#identity_check", "id_card")
    for question in page.locator("select[id^=q_]").all():
        question.select_option(index=1)
    for question in page.locator("textarea[id^=q_]").all():
        question.fill("Kysymys")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_selector("#series-title")
    page.wait_for_load_state("load")
    assert page.locator("fieldset.series-choice").count() == 3
    yield "follow-up series, preview with other times"
    for index in range(3):
        page.locator(f"#alt_{index}-1").check()
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/bookings/\d+$"))
    page.wait_for_selector("#series-title")
    yield "booking in a series"
    first = int(page.url.rsplit("/", 1)[1])
    token = _manage_token(server, first)
    page.goto(f"{base}/manage/{token}?lang={lang}")
    page.wait_for_selector("#series-title")
    yield "family: manage page of a series"
    page.goto(f"{base}/manage/{token}/cancel?scope=following&lang={lang}")
    assert page.locator("ul.series-list li").count() == 3
    yield "family: cancel this and the later meetings"
    page.goto(f"{base}/staff/agenda?lang={lang}")
    page.goto(f"{base}/staff/bookings/{booking_id}/move")
    yield "move a booking"
    page.locator("main form[method=post] input[type=radio]").first.check()
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_selector("input[name=confirmed]", state="attached")
    page.wait_for_load_state("load")  # the style sheet too, before colours are checked
    yield "move a booking, confirm"
    page.goto(f"{base}/staff/reassign?professional={pro_id}")
    yield "reassign a sick day, preview"
    page.goto(f"{base}/staff/availability/{pro_id}")
    yield "availability"
    page.locator("#absences > summary").click()
    page.locator("#openings > summary").click()
    page.locator("#preview-part > summary").click()
    page.locator("fieldset.rule-row details.limits > summary").first.click()
    yield "availability, every part open"
    page.fill("#rule-0-end", "11:00")
    page.locator("button[name=action][value=preview]").click()
    page.wait_for_selector("#preview-title")
    yield "availability, preview"
    page.fill("#rule-0-start", "12:00")
    page.locator("button[name=action][value=save]").click()
    page.wait_for_selector(".error-summary")
    yield "availability, errors"
    page.goto(f"{base}/staff/admin")
    assert page.locator(".troubled-feeds li").count() == 1
    yield "administration"
    for path in (
        "organisation",
        "units",
        "services",
        f"services/{service_id}",
        "services/new",
        "workers",
        f"workers/{pro_id}",
        "workers/new",
        "accounts",
        "accounts/new",
        "access-log",
        "failed-messages",
        "closures",
    ):
        page.goto(f"{base}/staff/admin/{path}")
        yield f"admin/{path}"
    page.goto(f"{base}/staff/admin/units")
    page.locator("main a[href*='/staff/admin/units/']").first.click()
    page.wait_for_selector("#phone")
    yield "admin/unit"
    page.goto(f"{base}/staff/admin/closures")
    page.fill("#day", _booking_day(server, booking_id))
    for text_lang in ("fi", "sv", "en"):
        page.fill(f"#reason-{text_lang}", "Koulutus")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_selector(f"a[href='/staff/bookings/{booking_id}/move']")
    yield "closure with the bookings on it"
    page.locator("main form button.danger").click()  # open the day again for other tests
    page.wait_for_url(f"{base}/staff/admin/closures")
    page.goto(f"{base}/staff/admin/services/new")
    # Past the browser's own checks, to see the page's error summary.
    page.evaluate("document.querySelectorAll('form').forEach(f => { f.noValidate = true; })")
    page.locator("main form button[type=submit]:not([name])").last.click()
    page.wait_for_selector(".error-summary")
    yield "service form with errors"
    page.goto(f"{base}/staff/admin/services/{service_id}")
    page.locator("button[name=action][value=more_pools]").click()
    page.wait_for_selector("#pool-2-name-fi")
    yield "service form, one pool more"


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_staff_page_passes_axe(browser: Any, staff_server: LiveServer, lang: str) -> None:
    found, problems = findings_on_every_page(
        browser,
        DESKTOP,
        lambda page: visit_every_page(page, staff_server, lang),
        axe_violations,
        axe=True,
    )
    assert found == {}
    assert problems == []


def test_live_preview_updates_while_typing(browser: Any, staff_server: LiveServer) -> None:
    context, page, watch = new_page(browser, DESKTOP)
    org_id, _booking, pro_id, _service = _ids(staff_server)
    try:
        page.goto(f"{staff_server.url}/staff/login?lang=en")
        page.select_option("#who", f"admin:{org_id}")
        page.locator(".dev-login button[type=submit]").click()
        page.goto(f"{staff_server.url}/staff/availability/{pro_id}?lang=en")
        page.locator("#preview-part > summary").click()
        before = page.locator("#preview").inner_text()
        assert "bookings, absences" in before
        for i in range(page.locator("fieldset.rule-row").count()):
            page.fill(f"#rule-{i}-start", "")
            page.fill(f"#rule-{i}-end", "")
        page.wait_for_function(
            "() => document.querySelector('#preview').innerText.includes('no free times')"
        )
    finally:
        context.close()
    assert watch.problems == []
