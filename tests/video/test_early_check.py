"""The camera and connection test from the family's link days before the meeting, in
Chromium with a fake camera: it works and passes axe in Finnish, Swedish and English,
while the room itself stays shut until its window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from scheduler.booking import meetings
from scheduler.extensions import db
from tests.e2e.conftest import axe_violations, need_axe
from tests.factories import Factories
from tests.video.browser import allow_devices
from tests.video.helpers import live_server, video_booking

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def early_link(app: Flask, make: Factories) -> Iterator[str]:
    booking = video_booking(make, starts_in=timedelta(days=3))
    with live_server(app):
        link = meetings.family_join_link(booking)
        db.session.commit()
        assert link is not None
        yield link


def test_the_family_tests_the_camera_and_connection_days_before(
    browser: Any, early_link: str
) -> None:
    found: dict[str, list[str]] = {}
    for lang in ("fi", "sv", "en"):
        context = browser.new_context(
            permissions=["camera", "microphone"], viewport={"width": 360, "height": 740}
        )
        context.set_default_timeout(30_000)
        context.add_init_script(path=need_axe())
        try:
            page = context.new_page()
            page.goto(f"{early_link}?lang={lang}")
            assert page.locator("#opens-later").is_visible()
            assert page.locator("#continue-btn").count() == 0
            found[f"{lang}: check"] = axe_violations(page)
            if lang == "fi":
                allow_devices(page)
                page.click("#test-btn")
                page.wait_for_selector("#test-result[data-result]", timeout=20000)
                # It reached the server's peer and back (how well depends on the machine).
                assert page.get_attribute("#test-result", "data-result") in ("good", "weak")
                found[f"{lang}: tested"] = axe_violations(page)
        finally:
            context.close()
    assert {name: v for name, v in found.items() if v} == {}
