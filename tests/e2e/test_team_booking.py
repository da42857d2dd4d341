"""A family books a team service in a real browser: the week shows only the times when a
worker of both pools is free, and booking one takes both workers."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.demo.data import SLUG
from scheduler.extensions import db
from scheduler.models import Booking, BookingStatus, Organisation, Professional
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    LiveServer,
    axe_violations,
    new_page,
    overflows_horizontally,
)
from tests.factories import Factories

pytestmark = pytest.mark.browser

SERVICE = "perhetyo-tiimi"


@pytest.fixture(scope="module")
def team(live_server: LiveServer) -> tuple[int, int]:
    """A team service of the demo municipality: a social worker free 8–12 and a family
    counsellor free 10–14 on weekdays; their ids."""
    make = Factories()
    with live_server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.slug == SLUG))
        assert org is not None
        service = make.service(
            org.units[0],
            slug=SERVICE,
            name={
                "fi": "Perhetyö tiimin kanssa",
                "sv": "Familjearbete i team",
                "en": "Family work as a team",
            },
            duration_min=60,
            slot_interval_min=60,
            min_notice_min=0,
        )
        weekdays = (0, 1, 2, 3, 4)
        social = make.professional(service, (time(8), time(12)), weekdays, name="Sanna Sosiaali")
        counsellor = make.professional(service, (time(10), time(14)), weekdays, name="Olli Ohjaaja")
        make.pool(service, [social], name={"fi": "Sosiaalityöntekijä"})
        make.pool(service, [counsellor], name={"fi": "Perheohjaaja"})
        db.session.commit()
        ids = (social.id, counsellor.id)
        db.session.remove()
    return ids


def shown_times(page: Any) -> set[str]:
    return {t.split()[-1] for t in page.locator("button.slot").all_inner_texts()}


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_a_team_service_shows_only_common_times_and_books_both_workers(
    browser: Any, live_server: LiveServer, team: tuple[int, int], screen: str
) -> None:
    phone = screen == "phone"
    context, page, watch = new_page(browser, PHONE if phone else DESKTOP, phone=phone, axe=True)
    try:
        page.goto(f"{live_server.url}/o/{SLUG}/s/{SERVICE}?lang=fi")
        page.get_by_role("link", name="Seuraava viikko").click()
        page.wait_for_url(re.compile(r"week="))

        # Each worker alone is free 8–14; together only 10–12.
        assert shown_times(page) == {"10.00", "11.00"}
        assert axe_violations(page) == []
        assert not overflows_horizontally(page)

        page.locator("button.slot").nth(1 if phone else 2).click()
        page.wait_for_url(re.compile(r"/book/"))
        page.get_by_label("Nimesi").fill(f"Tiina Tiimi {screen}")
        page.locator("#phone").fill("040 123 4567")
        page.locator("#consent").check()
        page.get_by_role("button", name="Varaa tämä aika").click()
        page.wait_for_url(re.compile(r"/booked$"))
        assert page.locator("h1").inner_text() == "Aikasi on varattu"
        assert axe_violations(page) == []
        assert watch.problems == []
    finally:
        context.close()

    with live_server.app.app_context():
        lead = db.session.scalar(
            select(Booking).where(Booking.client_name == f"Tiina Tiimi {screen}")
        )
        assert lead is not None and lead.status == BookingStatus.CONFIRMED
        rows = [lead, *lead.companions]
        assert sorted(b.professional_id for b in rows) == sorted(team)
        assert {b.status for b in rows} == {BookingStatus.CONFIRMED}
        assert {(b.start_at, b.end_at) for b in rows} == {(lead.start_at, lead.end_at)}
        assert lead.companions[0].client_name is None
        names = {db.session.get(Professional, pid).name for pid in team}  # type: ignore[union-attr]
        assert names == {"Sanna Sosiaali", "Olli Ohjaaja"}
        db.session.remove()
