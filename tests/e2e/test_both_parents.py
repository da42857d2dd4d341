"""Both parents in a real browser: the first parent books for both and gives the other
parent's contact details; each parent then joins through their own link, and neither ever
sees the other's contact details, in page text, message texts or calendar files."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from notifications import OutboxMessage, preview
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import Booking
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, axe_violations, new_page
from tests.public.conftest import next_monday

pytestmark = pytest.mark.browser

FIRST = {"name": "Maija Meikäläinen", "email": "maija@example.org", "phone": "040 123 4567"}
SECOND = {"name": "Matti Virtanen", "email": "matti@example.org", "phone": "050 765 4321"}
# Every way a parent's contact details could show: as typed and as stored (E.164).
FIRST_DETAILS = ("maija@example.org", "+358401234567", "040 123 4567", "401234567")
SECOND_DETAILS = ("matti@example.org", "+358507654321", "050 765 4321", "507654321")


def shows_none_of(text: str, details: tuple[str, ...]) -> list[str]:
    return [detail for detail in details if detail in text]


def fill_booking_form(page: Any, second_email: str) -> None:
    page.fill("#name", FIRST["name"])
    page.fill("#email", FIRST["email"])
    page.fill("#phone", FIRST["phone"])
    page.check("#q_topic-1")
    page.check("#both_parents-1")
    page.fill("#second_name", SECOND["name"])
    page.fill("#second_email", second_email)
    page.fill("#second_phone", SECOND["phone"])
    page.check("#second_language-1")  # Swedish
    page.check("#consent")
    page.locator(".booking-form button[type=submit]").first.click()


def messages_to(server: LiveServer, recipients: tuple[str, ...]) -> list[str]:
    """Every message queued for these recipients, rendered as sent: subject, text and
    the calendar part."""
    with server.app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient.in_(recipients))
        ).all()
        rendered = []
        for row in rows:
            outgoing = preview(row)
            calendar = outgoing.calendar.decode() if outgoing.calendar else ""
            rendered.append(f"{outgoing.subject}\n{outgoing.text}\n{calendar}")
        return rendered


def open_the_meeting_now(server: LiveServer, booking_id: int) -> None:
    """Bring the booked meeting to now, so that the join links let people in."""
    from video.models import Room

    with server.app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking is not None
        start = now_utc() + timedelta(minutes=5)
        end = start + (booking.end_at - booking.start_at)
        booking.start_at, booking.end_at = start, end
        booking.block_start_at, booking.block_end_at = start, end
        room = db.session.scalar(select(Room).where(Room.booking_id == booking_id))
        assert room is not None
        room.starts_at, room.ends_at = start, end
        db.session.commit()


def test_two_parents_each_join_through_their_own_link_and_never_see_the_others_details(
    browser: Any, live_server: LiveServer
) -> None:
    base = live_server.url
    week = next_monday().isoformat()
    first, page, watch = new_page(browser, PHONE, phone=True, axe=True)
    second, other_page, other_watch = new_page(browser, DESKTOP, axe=True)
    try:
        # The first parent books for both (the service needs strong identification).
        page.goto(f"{base}/o/tunturikyla/s/lastenvalvoja?week={week}&lang=fi")
        page.locator("button.slot").first.click()
        page.wait_for_url(re.compile(r"/book/"))
        page.locator("form[action$='/identify'] button").click()
        page.wait_for_url(re.compile(r"/dev/identify$"))
        page.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/book/[^/]+$"))
        assert "Osallistuvatko molemmat vanhemmat?" in page.inner_text("main")
        assert axe_violations(page) == []

        # The other parent's contact may not be the first parent's own.
        fill_booking_form(page, second_email=FIRST["email"])
        page.wait_for_selector("#second_email-error")
        assert "Toisella vanhemmalla on oltava omat yhteystiedot" in page.inner_text(
            "#second_email-error"
        )
        assert axe_violations(page) == []
        fill_booking_form(page, second_email=SECOND["email"])
        page.wait_for_url(re.compile(r"/booked$"))
        manage = page.locator(".manage-link a").get_attribute("href")
        assert manage is not None
        page.goto(manage)
        text = page.inner_text("body")
        assert FIRST["email"] in text  # their own details, …
        assert shows_none_of(text, SECOND_DETAILS) == []  # … never the other's
        own_ics = page.request.get(f"{manage}/calendar.ics").text()
        assert "BEGIN:VEVENT" in own_ics
        assert shows_none_of(own_ics, SECOND_DETAILS + FIRST_DETAILS) == []

        # The messages: each parent's name only their own contact details.
        first_messages = messages_to(live_server, ("maija@example.org", "+358401234567"))
        second_messages = messages_to(live_server, ("matti@example.org", "+358507654321"))
        assert first_messages and second_messages
        for message in first_messages:
            assert shows_none_of(message, SECOND_DETAILS) == []
        for message in second_messages:
            assert shows_none_of(message, FIRST_DETAILS) == []
        invitation = next(m for m in second_messages if "/attend/" in m)
        assert "Du är inbjuden" in invitation  # in the language the first parent chose
        match = re.search(r"https?://\S+/attend/[A-Za-z0-9_-]+", invitation)
        assert match
        attend = match.group(0)

        # The other parent answers through their own link.
        other_page.goto(attend)
        text = other_page.inner_text("body")
        assert SECOND["name"] in text
        assert shows_none_of(text, FIRST_DETAILS) == []
        assert axe_violations(other_page) == []
        other_page.get_by_role("button", name="Osallistun").click()
        other_page.wait_for_selector("text=Kiitos. Osallistut tapaamiseen.")
        assert "Olet kertonut osallistuvasi." in other_page.inner_text("#attendance-state")
        assert axe_violations(other_page) == []
        their_ics = other_page.request.get(f"{attend}/calendar.ics").text()
        assert "BEGIN:VEVENT" in their_ics
        assert shows_none_of(their_ics, FIRST_DETAILS + SECOND_DETAILS) == []

        # Each joins the meeting through their own link.
        with live_server.app.app_context():
            booking_id = db.session.scalar(
                select(Booking.id).where(Booking.client_email == FIRST["email"])
            )
        assert booking_id is not None
        open_the_meeting_now(live_server, booking_id)
        page.goto(manage)
        own_join = page.get_by_role("link", name="Siirry videotapaamiseen").get_attribute("href")
        other_page.goto(attend)
        their_join = other_page.get_by_role("link", name="Siirry videotapaamiseen").get_attribute(
            "href"
        )
        assert own_join and their_join and own_join != their_join
        for joining, link, others in (
            (page, own_join, SECOND_DETAILS),
            (other_page, their_join, FIRST_DETAILS),
        ):
            response = joining.goto(link)
            assert response is not None and response.status == 200
            assert joining.locator("[data-ticket]").count() == 1
            assert shows_none_of(joining.content(), others) == []
        assert watch.problems == [] and other_watch.problems == []
    finally:
        first.close()
        second.close()


def _confirmed_booking_of(server: LiveServer, slug: str, days: int) -> tuple[int, int]:
    """A confirmed booking of the demo service ``slug`` (made through the operations, as a
    family would), with no other participant yet; its id and the organisation's."""
    from scheduler import booking as ops
    from scheduler.availability import Ask, free_times
    from scheduler.models import Service

    with server.app.app_context():
        service = db.session.scalar(select(Service).where(Service.slug == slug))
        assert service is not None
        start = now_utc() + timedelta(days=days)
        found = free_times(Ask(service.id, start, start + timedelta(days=7), now=now_utc()))
        assert found is not None
        slot = next(iter(found.slots()))
        _held, token = ops.hold(service, slot.start)
        booking, _manage = ops.confirm(
            token,
            ops.ClientDetails(
                name=FIRST["name"],
                email="maija.toinen@example.org",
                phone=None,
                language="fi",
                intake_answers={"topic": "contact"},
                identity_subject="FI-TEST",
                identity_name=FIRST["name"],
            ),
        )
        db.session.commit()
        ids = (booking.id, booking.organisation_id)
        db.session.remove()
    return ids


def test_the_worker_adds_the_other_parent_on_an_accessible_booking_page(
    browser: Any, live_server: LiveServer
) -> None:
    from tests.catalogues import compile_staff_catalogues

    compile_staff_catalogues()
    live_server.app.config["DEV_LOGIN"] = True
    base = live_server.url
    booking_id, org_id = _confirmed_booking_of(live_server, "lastenvalvoja", days=20)
    context, page, watch = new_page(browser, DESKTOP, axe=True)
    try:
        page.goto(f"{base}/staff/login?lang=fi")
        page.select_option("#who", f"admin:{org_id}")
        page.locator(".dev-login button[type=submit]").click()
        page.wait_for_url(f"{base}/staff/agenda")
        page.goto(f"{base}/staff/bookings/{booking_id}")
        assert page.locator("#participants-title").inner_text() == "Muut osallistujat"
        assert axe_violations(page) == []

        def add(email: str) -> None:
            page.fill("#name", SECOND["name"])
            page.fill("#email", email)
            page.fill("#phone", SECOND["phone"])
            page.select_option("#language", "sv")
            page.get_by_role("button", name="Lisää ja lähetä kutsu").click()

        add("MAIJA.toinen@example.org")
        page.wait_for_selector("#email-error")
        assert "omat yhteystiedot" in page.inner_text("#email-error")
        assert axe_violations(page) == []
        add(SECOND["email"])
        page.wait_for_selector("text=Toinen vanhempi lisättiin")
        listed = page.inner_text(".participants")
        assert SECOND["name"] in listed and SECOND["email"] in listed
        assert "ei vielä vastannut" in listed
        assert axe_violations(page) == []
        assert watch.problems == []
    finally:
        context.close()
