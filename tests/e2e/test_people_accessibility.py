"""axe-core finds no violations on the pages of interpreters and of the people taking part,
in Finnish, Swedish and English: the booking form's interpreter question, the
administration of interpreters, the open requests, a booking's people (with an error),
and the question before removing someone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.booking import interpreters
from scheduler.extensions import db
from scheduler.kernel import local_date, now_utc
from scheduler.models import Booking, Interpreter, Organisation, Service
from tests.catalogues import compile_staff_catalogues
from tests.e2e.conftest import DESKTOP, LiveServer, axe_violations, findings_on_every_page
from tests.e2e.test_accessibility import next_monday
from tests.e2e.test_staff_reflow import NARROW, overflow

pytestmark = pytest.mark.browser
GUEST = {"fi": "Terhi Terveydenhoitaja", "sv": "Stina Skolsköterska", "en": "Nora Nurse"}


@pytest.fixture(scope="module")
def people_server(live_server: LiveServer) -> Iterator[tuple[LiveServer, dict[str, Any]]]:
    compile_staff_catalogues()
    live_server.app.config["DEV_LOGIN"] = True
    with live_server.app.app_context():
        org = db.session.scalar(select(Organisation))
        assert org is not None
        booking = db.session.scalars(
            select(Booking)
            .where(Booking.status == "confirmed", Booking.start_at > now_utc())
            .order_by(Booking.start_at)
        ).first()
        assert booking is not None
        booking.service.interpreter_languages = ["so", "ar", "se"]
        advice = db.session.scalar(select(Service).where(Service.slug == "palveluneuvonta"))
        assert advice is not None
        advice.interpreter_languages = ["so", "ar", "uk"]
        if interpreters.request_of(booking) is None:
            interpreters.record_request(booking, "so")
        listed = Interpreter(
            organisation_id=org.id,
            name="Amina Hassan",
            languages=["so", "ar"],
            email="amina@tulkit.example",
            active=True,
            created_at=now_utc(),
        )
        db.session.add(listed)
        db.session.flush()
        ids = {
            "org": org.id,
            "booking": booking.id,
            "pro": booking.professional_id,
            "service": booking.service_id,
            "interpreter": listed.id,
            "day": local_date(booking.start_at, org.zone).isoformat(),
        }
        db.session.commit()
        db.session.remove()
    yield live_server, ids


def visit(page: Any, server: LiveServer, ids: dict[str, Any], lang: str) -> Iterator[str]:
    base = server.url
    page.goto(
        f"{base}/o/tunturikyla/s/palveluneuvonta?week={next_monday().isoformat()}&lang={lang}"
    )
    page.locator("button.slot").first.click()
    page.wait_for_url(re.compile(r"/book/"))
    assert page.locator("#interpreter_language").count() == 1
    yield "booking form with the interpreter question"
    page.select_option("#interpreter_language", "uk")
    page.locator(".booking-form button[type=submit]").first.click()
    page.wait_for_selector("#error-summary")
    yield "booking form with errors"
    page.goto(f"{base}/staff/login?lang={lang}")
    page.select_option("#who", f"admin:{ids['org']}")
    page.locator(".dev-login button[type=submit]").click()
    page.wait_for_url(f"{base}/staff/agenda")
    page.goto(f"{base}/staff/agenda?professional={ids['pro']}&date={ids['day']}")
    yield "agenda with an interpreter request"
    page.goto(f"{base}/staff/interpreter-requests")
    assert page.locator("tbody tr").count() >= 1
    yield "open interpreter requests"
    page.goto(f"{base}/staff/admin/interpreters")
    yield "admin/interpreters"
    page.goto(f"{base}/staff/admin/interpreters/{ids['interpreter']}")
    yield "admin/interpreter"
    page.goto(f"{base}/staff/admin/interpreters/new")
    page.evaluate("document.querySelectorAll('form').forEach(f => { f.noValidate = true; })")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    yield "admin/interpreters/new with errors"
    page.goto(f"{base}/staff/admin/services/{ids['service']}")
    yield "admin/service with interpreter languages"
    page.goto(f"{base}/staff/bookings/{ids['booking']}")
    yield "booking with the request"
    page.goto(f"{base}/staff/bookings/{ids['booking']}/people")
    yield "people"
    page.evaluate("document.querySelectorAll('form').forEach(f => { f.noValidate = true; })")
    page.locator("form[action$='/people/guest'] button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    yield "people with an error"
    page.fill("#guest-name", GUEST[lang])
    page.fill("#guest-email", "guest@example.org")
    page.locator("form[action$='/people/guest'] button[type=submit]").click()
    page.wait_for_selector(f"table.people td:has-text('{GUEST[lang]}')")
    yield "people with a guest"
    page.locator("table.people a[href$='/remove']").last.click()
    page.wait_for_selector("button.danger")
    yield "remove, the question"
    page.locator("button.danger").click()
    page.wait_for_url(re.compile(r"/people$"))
    assert page.locator(f"table.people td:has-text('{GUEST[lang]}')").count() == 0


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_people_and_interpreter_pages_pass_axe(
    browser: Any, people_server: tuple[LiveServer, dict[str, Any]], lang: str
) -> None:
    server, ids = people_server
    found, problems = findings_on_every_page(
        browser,
        DESKTOP,
        lambda page: visit(page, server, ids, lang),
        axe_violations,
        axe=True,
    )
    assert found == {}
    assert problems == []


def test_people_and_interpreter_pages_do_not_scroll_sideways_at_320_px(
    browser: Any, people_server: tuple[LiveServer, dict[str, Any]]
) -> None:
    server, ids = people_server
    found, problems = findings_on_every_page(
        browser, NARROW, lambda page: visit(page, server, ids, "fi"), overflow
    )
    assert found == {}
    assert problems == []
