"""The pages of a meeting that was cancelled or ended, in the browser: each says what
happened, the worker's offers to reopen, and axe-core finds nothing on them."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.booking import meetings
from scheduler.extensions import db
from tests.catalogues import compile_video_catalogues
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, axe_violations, new_page
from tests.factories import Factories
from tests.video.helpers import path_of, video_booking
from video import rooms
from video.models import Room

pytestmark = pytest.mark.browser
MAKE = Factories()  # one numbering of test organisations for the module's server


def _links(server: LiveServer, cancelled: bool) -> tuple[str, str]:
    with server.app.app_context():
        booking = video_booking(MAKE)
        family = meetings.family_join_link(booking)
        host = meetings.worker_join_link(booking)
        assert family is not None and host is not None
        if cancelled:
            meetings.close_room(booking)
        else:
            rooms.end(db.session.query(Room).filter_by(booking_id=booking.id).one())
        db.session.commit()
        db.session.remove()
    return server.url + path_of(family), server.url + path_of(host)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_ended_and_cancelled_meeting_pages_say_what_happened(
    browser: Any, live_server: LiveServer, lang: str
) -> None:
    compile_video_catalogues()
    words = {"fi": ("peruttu", "Avaa tapaaminen uudelleen"), "sv": ("avbokats", "Öppna mötet igen")}
    said, reopen = words[lang]
    found: dict[str, list[str]] = {}
    for viewport in (PHONE, DESKTOP):
        cancelled_family, cancelled_host = _links(live_server, cancelled=True)
        ended_family, ended_host = _links(live_server, cancelled=False)
        context, page, watch = new_page(browser, viewport, axe=True)
        try:
            page.goto(f"{cancelled_family}?lang={lang}")
            assert said in page.locator("main").inner_text()
            found["cancelled, family"] = axe_violations(page)
            page.goto(f"{cancelled_host}?lang={lang}")
            assert page.get_by_role("button", name=reopen).count() == 0
            page.goto(f"{ended_host}?lang={lang}")
            found["ended, worker"] = axe_violations(page)
            page.get_by_role("button", name=reopen).click()
            page.wait_for_url(ended_host)
            assert page.locator("#stage-check").count() == 1  # the call page again
            page.goto(f"{ended_family}?lang={lang}")
            assert page.locator("#stage-check").count() == 1
        finally:
            context.close()
        assert watch.problems == []
    assert {name: v for name, v in found.items() if v} == {}
