"""Both parents booked by the worker, and each parent's change of mind, in a real browser
with axe-core clean: the booking form's other parent (with an error), the other parent's
page once they declined, and the first parent's page once they left and came back."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

import notifications
from scheduler.extensions import db
from scheduler.kernel import local_date, now_utc
from scheduler.models import Booking, BookingParticipant, Organisation, Service
from tests.e2e.conftest import DESKTOP, LiveServer, axe_violations, new_page
from tests.e2e.test_both_parents import FIRST, FIRST_DETAILS, SECOND, SECOND_DETAILS, shows_none_of

pytestmark = pytest.mark.browser


def _free_time(server: LiveServer) -> dict[str, Any]:
    """A free time of the child supervisor's service, three weeks ahead."""
    from scheduler.availability import Ask, free_times

    with server.app.app_context():
        service = db.session.scalar(select(Service).where(Service.slug == "lastenvalvoja"))
        org = db.session.scalar(select(Organisation))
        assert service is not None and org is not None
        start = now_utc() + timedelta(days=22)
        found = free_times(Ask(service.id, start, start + timedelta(days=7), now=now_utc()))
        assert found is not None
        slot = next(iter(found.slots()))
        found_ids = {
            "org": org.id,
            "service": service.id,
            "pro": slot.worker_ids[0],
            "day": local_date(slot.start, org.zone).isoformat(),
            "start": slot.start.isoformat(),
        }
        db.session.remove()
    return found_ids


def _links(server: LiveServer) -> tuple[str, str]:
    """The first parent's manage link and the other parent's own link, as sent."""
    with server.app.app_context():
        booking = db.session.scalar(select(Booking).where(Booking.client_name == FIRST["name"]))
        assert booking is not None
        second = db.session.scalar(
            select(BookingParticipant).where(BookingParticipant.booking_id == booking.id)
        )
        assert second is not None
        own = notifications.sealed_secrets(f"booking:{booking.uid}")
        theirs = notifications.sealed_secrets(f"booking:{booking.uid}:p{second.id}")
        assert own is not None and theirs is not None
        db.session.remove()
        return own["manage_url"], theirs["manage_url"]


def _path(link: str) -> str:
    return link[link.index("/", link.index("//") + 2) :]


def test_the_worker_books_both_parents_and_each_changes_their_mind(
    browser: Any, live_server: LiveServer
) -> None:
    from tests.catalogues import compile_staff_catalogues

    compile_staff_catalogues()
    live_server.app.config["DEV_LOGIN"] = True
    base = live_server.url
    ids = _free_time(live_server)
    context, page, watch = new_page(browser, DESKTOP, axe=True)
    try:
        page.goto(f"{base}/staff/login?lang=fi")
        page.select_option("#who", f"admin:{ids['org']}")
        page.locator(".dev-login button[type=submit]").click()
        page.wait_for_url(f"{base}/staff/agenda")
        form = (
            f"{base}/staff/book?professional={ids['pro']}&service={ids['service']}"
            f"&date={ids['day']}&start={quote(ids['start'])}"
        )
        for lang in ("sv", "en", "fi"):
            page.goto(f"{form}&lang={lang}")
            assert page.locator("#second_email").count() == 1
            assert axe_violations(page) == [], lang

        def book(second_phone: str) -> None:
            page.fill("#name", FIRST["name"])
            page.fill("#phone", FIRST["phone"])
            page.fill("#email", FIRST["email"])
            page.select_option("#identity_check", "passport")
            page.select_option("#q_topic", "contact")
            page.fill("#second_name", SECOND["name"])
            page.fill("#second_phone", second_phone)
            page.fill("#second_email", SECOND["email"])
            page.select_option("#second_language", "sv")
            page.get_by_role("button", name="Varaa aika").click()

        book(second_phone=FIRST["phone"])
        page.wait_for_selector("#second_phone-error")
        assert "omat yhteystiedot" in page.inner_text("#second_phone-error")
        assert axe_violations(page) == []
        book(second_phone=SECOND["phone"])
        page.wait_for_url(re.compile(r"/staff/bookings/\d+$"))
        assert SECOND["name"] in page.inner_text(".participants")

        manage, attend = _links(live_server)
        # The other parent declines, then takes part after all.
        page.goto(f"{base}{_path(attend)}?lang=fi")
        page.get_by_role("button", name="En osallistu").click()
        page.wait_for_selector("text=Olet kertonut, että et osallistu.")
        assert shows_none_of(page.inner_text("body"), FIRST_DETAILS) == []
        assert axe_violations(page) == []
        page.get_by_role("button", name="Osallistun").click()
        page.wait_for_selector("text=Olet kertonut osallistuvasi.")

        # The first parent leaves the meeting to the other, then comes back.
        for lang, leave, back in (
            ("sv", "Ja, avboka tiden", "Jag deltar ändå"),
            ("en", "Yes, cancel the appointment", "I will take part after all"),
            ("fi", "Kyllä, peru aika", "Osallistun sittenkin"),
        ):
            page.goto(f"{base}{_path(manage)}/cancel?lang={lang}")
            page.get_by_role("button", name=leave).click()
            page.wait_for_selector(f"button:has-text('{back}')")
            assert shows_none_of(page.inner_text("body"), SECOND_DETAILS) == []
            assert axe_violations(page) == [], lang
            page.get_by_role("button", name=back).click()
            page.wait_for_selector(".notice-success, .flash-success, [role=status]")
            assert page.locator(f"button:has-text('{back}')").count() == 0
            assert axe_violations(page) == [], lang
        assert watch.problems == []
    finally:
        context.close()
