"""The worker's call page on a 1280×800 screen: while the worker is in the call, the
waiting list stays in view beside the call, and the page names the organisation and has
a favicon."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from scheduler.booking import meetings
from scheduler.extensions import db
from tests.factories import Factories
from tests.video.browser import admit, allow_devices
from tests.video.helpers import live_server, path_of, video_booking
from video.models import Participant

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}


def _pid(kind: str) -> int:
    try:
        found = db.session.scalar(select(Participant.id).where(Participant.kind == kind))
        assert found is not None
        return found
    finally:
        db.session.rollback()  # on SQLite every transaction holds the write lock


def _open(browser: Any, url: str) -> Any:
    context = browser.new_context(
        permissions=["camera", "microphone"], locale="fi", viewport=DESKTOP
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(url)
    return page


def test_waiting_list_is_in_view_while_the_worker_is_in_the_call(
    browser: Any, app: Flask, make: Factories
) -> None:
    booking = video_booking(make)
    family_link = meetings.family_join_link(booking)
    worker_link = meetings.worker_join_link(booking)
    interpreter_link = meetings.invite_participant(booking, "interpreter")
    db.session.commit()
    assert family_link and worker_link and interpreter_link
    pages = []
    with live_server(app) as base:
        try:
            family = _open(browser, base + path_of(family_link))
            pages.append(family)
            allow_devices(family)
            family.click("#continue-btn")
            worker = _open(browser, base + path_of(worker_link))
            pages.append(worker)
            allow_devices(worker)
            worker.click("#continue-btn")
            family_pid = _pid("family")
            worker.wait_for_selector(f"#lobby-list li[data-pid='{family_pid}']")
            admit(worker, family_pid)
            family.wait_for_selector("#stage-call:not([hidden])")
            # The worker is in the call; an interpreter comes to the waiting room.
            interpreter = _open(browser, base + path_of(interpreter_link))
            pages.append(interpreter)
            allow_devices(interpreter)
            interpreter.click("#continue-btn")
            waiting = worker.locator(f"#lobby-list li[data-pid='{_pid('interpreter')}']")
            waiting.wait_for()
            worker.evaluate("() => window.scrollTo(0, 0)")
            box = waiting.locator(".admit-btn").bounding_box()
            assert box is not None
            assert box["y"] >= 0 and box["y"] + box["height"] <= DESKTOP["height"]
        finally:
            for page in pages:
                page.context.close()


def test_call_page_names_the_organisation_and_has_a_favicon(app: Flask, make: Factories) -> None:
    booking = video_booking(make)
    booking.organisation.name = {"fi": "Tunturikylän kunta", "sv": "Tunturikylä kommun"}
    link = meetings.worker_join_link(booking)
    db.session.commit()
    assert link is not None
    client = app.test_client()
    page = client.get(path_of(link) + "?lang=sv").text
    assert '<p class="video-brand">Tunturikylä kommun</p>' in page
    assert "– Tunturikylä kommun</title>" in page and "Etäaika" not in page.split("</head>")[0]
    assert 'rel="icon" href="/static/favicon.svg"' in page
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
