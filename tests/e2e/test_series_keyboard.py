"""A worker books a follow-up series whose meetings do not fit, and picks another time for
each with the keyboard alone: Tab to the meeting's group of choices, an arrow key from
"skip" to the nearest other time, Enter on "book the series"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.kernel import as_utc
from scheduler.models import Booking, Professional, Service
from tests.catalogues import compile_staff_catalogues
from tests.e2e.conftest import DESKTOP, LiveServer, new_page
from tests.e2e.test_staff_keyboard import (
    FOCUSED,
    fill_in_client,
    open_booking_form,
    tab_to,
    weekday_ahead,
)
from tests.factories import Factories
from tests.staff.conftest import Staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _taken(server: LiveServer, url: str, start: datetime) -> None:
    """Another family's booking with the worker of the form at ``start``."""
    ids = dict(re.findall(r"(professional|service)=(\d+)", url))
    with server.app.app_context():
        service = db.session.get(Service, int(ids["service"]))
        pro = db.session.get(Professional, int(ids["professional"]))
        assert service is not None and pro is not None
        Staff(Factories()).booking(service, pro, start, client_name="Toinen Perhe")
        db.session.commit()
        db.session.remove()


def test_other_times_for_a_series_are_picked_with_the_keyboard(
    browser: Any, live_server: LiveServer
) -> None:
    compile_staff_catalogues()
    live_server.app.config["DEV_LOGIN"] = True
    base = live_server.url
    context, page, watch = new_page(browser, DESKTOP)
    try:
        page.goto(f"{base}/staff/login?lang=fi")
        tab_to(page, "Kirjaudu käyttäjänä")
        tab_to(page, "Kirjaudu ilman salasanaa")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/staff/agenda"))
        open_booking_form(page, weekday_ahead(10))
        tab_to(page, "klo ")  # the checked time of the group: the first free one
        first = datetime.fromisoformat(page.locator("input[name=start]:checked").input_value())
        _taken(live_server, page.url, first + timedelta(weeks=1))  # the second meeting's time
        fill_in_client(page, "Ville Virtanen", "040 765 4321")
        tab_to(page, "Toisto")
        page.keyboard.press("ArrowDown")  # every week
        tab_to(page, "Tapaamisten määrä")
        page.keyboard.type("2")
        tab_to(page, "Varaa aika")
        page.keyboard.press("Enter")
        page.wait_for_selector("#series-title")
        assert page.locator("fieldset.series-choice").count() == 1  # the second meeting
        tab_to(page, "Ohita tämä tapaaminen")  # checked at first
        page.keyboard.press("ArrowDown")  # the first other time near it
        label = str(page.evaluate(FOCUSED))
        assert label.startswith("Tilalle ")
        picked = label.split(" klo ")[1]
        tab_to(page, "Varaa sarja")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/staff/bookings/\d+$"))
        assert "Sarjan tapaamiset" in page.locator("main").inner_text()
        with live_server.app.app_context():
            rows = db.session.scalars(
                select(Booking)
                .where(Booking.series_id.is_not(None), Booking.client_name == "Ville Virtanen")
                .order_by(Booking.start_at)
            ).all()
            zone = rows[0].organisation.zone if rows else None
            times = [as_utc(b.start_at).astimezone(zone) for b in rows]
            db.session.remove()
        assert times[0] == first
        assert f"{times[1].hour}.{times[1].minute:02d}" == picked
        assert watch.problems == []
    finally:
        context.close()
