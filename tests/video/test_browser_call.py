"""A whole call in Chromium with a fake camera and microphone: pre-call check, waiting
room, admission, frames both ways, chat, a third participant, and the end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from scheduler.extensions import db
from tests.factories import Factories
from tests.video.browser import admit, allow_devices, frames_from, open_page, wait_frames
from tests.video.helpers import Links, links_for, live_server, video_booking
from video.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def call_links(app: Flask, make: Factories) -> Iterator[Links]:
    booking = video_booking(make)
    with live_server(app):
        yield links_for(booking)


def _pid(kind: str) -> int:
    # End the read at once: on SQLite every transaction holds the write lock.
    try:
        return db.session.scalar(select(Participant.id).where(Participant.kind == kind))  # type: ignore[return-value]
    finally:
        db.session.rollback()


def test_family_checks_waits_is_admitted_and_meets_the_worker(
    browser: Any, call_links: Any
) -> None:
    family = open_page(browser, call_links.family)
    assert "Tapaamista ei tallenneta" in family.inner_text("#not-recorded")
    allow_devices(family)
    family.click("#test-btn")
    family.wait_for_selector("#test-result[data-result]", timeout=20000)
    assert family.get_attribute("#test-result", "data-result") == "good"
    family.click("#continue-btn")
    family.wait_for_selector("#stage-waiting:not([hidden])")

    worker = open_page(browser, call_links.worker)
    allow_devices(worker)
    worker.click("#continue-btn")
    family_pid, worker_pid = _pid("family"), _pid("worker")
    worker.wait_for_selector(f"#lobby-list li[data-pid='{family_pid}']")
    family.wait_for_selector("#host-status[data-state='seen']")
    assert family.locator(".tile[data-pid]").count() == 0

    admit(worker, family_pid)
    family.wait_for_selector("#stage-call:not([hidden])")
    wait_frames(family, worker_pid)
    wait_frames(worker, family_pid)

    # Chat over the data channel, both ways.
    worker.click("#chat-btn")
    worker.fill("#chat-input", "Hei, kuuluuko?")
    worker.press("#chat-input", "Enter")
    family.click("#chat-btn")
    family.wait_for_selector("#chat-log li:has-text('Hei, kuuluuko?')")
    family.fill("#chat-input", "Kuuluu hyvin")
    family.click("#chat-form button")
    worker.wait_for_selector("#chat-log li:has-text('Kuuluu hyvin')")

    # A third participant: the worker invites an interpreter, who waits and is admitted.
    worker.click(".invite-btn[data-kind='interpreter']")
    worker.wait_for_selector("#invite-result:not([hidden])")
    interpreter = open_page(browser, worker.input_value("#invite-link"))
    allow_devices(interpreter)
    interpreter.click("#continue-btn")
    interpreter_pid = _pid("interpreter")
    admit(worker, interpreter_pid)
    wait_frames(interpreter, worker_pid)
    wait_frames(interpreter, family_pid)
    wait_frames(family, interpreter_pid)
    before = frames_from(family, worker_pid)
    wait_frames(family, worker_pid, more_than=before)

    worker.click("#end-btn")  # asks first: nobody leaves yet
    assert worker.locator("#end-confirm").is_visible()
    assert worker.evaluate("() => document.activeElement.id") == "end-no"
    worker.click("#end-no")
    assert worker.locator("#end-confirm").is_hidden()
    assert family.locator("#stage-call").is_visible()
    worker.click("#end-btn")
    worker.click("#end-yes")
    for page in (family, interpreter, worker):
        page.wait_for_selector("#stage-ended:not([hidden])")
    assert "päättynyt" in family.inner_text("#ended-text")
    for page in (family, interpreter, worker):
        page.context.close()
