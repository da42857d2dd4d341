"""axe-core finds no violations on the video pages — the pre-call check, the waiting room and
the call, the family's and the worker's, and the page of a link that does not work — in
Finnish, Swedish and English, and every one of them links to the accessibility statement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from scheduler.booking import meetings
from scheduler.extensions import db
from tests.e2e.conftest import axe_violations, need_axe
from tests.factories import Factories
from tests.video.browser import admit, allow_devices
from tests.video.helpers import Links, links_for, live_server, video_booking
from video.models import Participant

pytestmark = pytest.mark.browser

STATEMENT = {
    "fi": "Saavutettavuusseloste",
    "sv": "Tillgänglighetsutlåtande",
    "en": "Accessibility statement",
}


@pytest.fixture
def call_links(app: Flask, make: Factories) -> Iterator[tuple[Links, str]]:
    booking = video_booking(make)
    with live_server(app):
        links = links_for(booking)
        guest = meetings.invite_participant(booking, "guest", "Kouluterveydenhoitaja")
        db.session.commit()
        yield links, guest


def _open(browser: Any, url: str, lang: str) -> Any:
    context = browser.new_context(
        permissions=["camera", "microphone"], locale=lang, viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(30_000)
    context.add_init_script(path=need_axe())
    page = context.new_page()
    page.goto(f"{url}?lang={lang}")
    return page


def _family_pid() -> int:
    try:
        return db.session.scalar(select(Participant.id).where(Participant.kind == "family"))  # type: ignore[return-value]
    finally:
        db.session.rollback()  # on SQLite every transaction holds the write lock


def _walk(browser: Any, links: Links, guest_link: str, lang: str) -> Iterator[tuple[str, Any]]:
    """The stages of a call as the family and the worker see them, a guest waiting too."""
    guest = _open(browser, guest_link, lang)
    guest.click("#continue-btn")
    guest.wait_for_selector("#stage-waiting:not([hidden])")
    family = _open(browser, links.family, lang)
    yield "family: pre-call check", family
    allow_devices(family)
    yield "family: pre-call check with camera on", family
    family.click("#continue-btn")
    family.wait_for_selector("#stage-waiting:not([hidden])")
    yield "family: waiting room", family
    worker = _open(browser, links.worker, lang)
    yield "worker: pre-call check", worker
    allow_devices(worker)
    worker.click("#continue-btn")
    pid = _family_pid()
    worker.wait_for_selector(f"#lobby-list li[data-pid='{pid}']")
    worker.wait_for_selector("#admit-all-btn:not([hidden])")
    yield "worker: call with the family and a guest waiting", worker
    admit(worker, pid)
    family.wait_for_selector("#stage-call:not([hidden])")
    yield "family: call", family
    worker.click("#chat-btn")
    yield "worker: call with the chat open", worker
    family.goto(links.family.rsplit("/", 1)[0] + f"/no-such-link?lang={lang}")
    yield "unknown link", family


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_video_pages_pass_axe_and_link_the_statement(
    browser: Any, call_links: tuple[Links, str], lang: str
) -> None:
    found: dict[str, list[str]] = {}
    contexts: dict[int, Any] = {}
    try:
        for name, page in _walk(browser, *call_links, lang):
            contexts[id(page.context)] = page.context
            assert page.locator("html").get_attribute("lang") == lang
            statement = page.locator("a[href*='/accessibility']")
            assert statement.count() == 1, name
            assert statement.inner_text().startswith(STATEMENT[lang]), name
            violations = axe_violations(page)
            if violations:
                found[name] = violations
    finally:
        for context in contexts.values():
            context.close()  # ends the call: no media left running for the next language
    assert found == {}
