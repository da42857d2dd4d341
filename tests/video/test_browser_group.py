"""A call of five in Chromium with fake cameras: the worker, both parents, an interpreter
and a guest each join through their own link under a name they choose; the worker sees
each one's role in the waiting room and admits them all at once; every browser then
decodes video from every other one, and sends less to each as the call has grown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from scheduler.booking import meetings
from scheduler.extensions import db
from tests.factories import Factories
from tests.services import CHROMIUM, need_chromium
from tests.video.browser import allow_devices, frames_from, open_page, wait_frames
from tests.video.conftest import CHROMIUM_ARGS
from tests.video.helpers import live_server, video_booking
from video.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

# Five browsers encode four pictures each and decode four: on a small shared machine the
# twenty connections take a while to come up. A limit on waiting, not a figure of speed.
GROUP_WAIT_MS = 240_000

# Chosen on each page; the stored names (the family's is the booking's) are replaced.
CHOSEN = {"family": "Äiti", "parent": "Isä", "interpreter": "Tulkki Amina", "guest": "Terkka"}


DATASETS = "tiles => tiles.map(t => JSON.stringify(t.dataset))"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium whose fake cameras make 10 frames a second: five pages of it are twenty
    encoders and twenty decoders on one machine."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    args = [a for a in CHROMIUM_ARGS if a != "--use-fake-device-for-media-stream"]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*args, "--use-fake-device-for-media-stream=fps=10"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def links(app: Flask, make: Factories) -> Iterator[dict[str, str]]:
    booking = video_booking(make)
    with live_server(app):
        found = {
            "worker": meetings.worker_join_link(booking),
            "family": meetings.family_join_link(booking),
            "parent": meetings.invite_participant(booking, "parent"),
            "interpreter": meetings.invite_participant(booking, "interpreter"),
            "guest": meetings.invite_participant(booking, "guest", "Kouluterveydenhoitaja"),
        }
        db.session.commit()
        yield {kind: link for kind, link in found.items() if link}


def _pids() -> dict[str, int]:
    try:  # end the read at once: on SQLite every transaction holds the write lock
        return {p.kind.value: p.id for p in db.session.scalars(select(Participant))}
    finally:
        db.session.rollback()


def test_five_people_each_receive_video_from_every_other(
    browser: Any, links: dict[str, str]
) -> None:
    pids = _pids()
    pages = {kind: open_page(browser, link) for kind, link in links.items()}
    try:
        for kind, page in pages.items():
            allow_devices(page)
            if kind in CHOSEN:
                page.fill("#display-name", CHOSEN[kind])
            page.click("#continue-btn")
        worker = pages["worker"]
        for kind, name in CHOSEN.items():
            entry = worker.locator(f"#lobby-list li[data-pid='{pids[kind]}']")
            entry.wait_for()
            assert entry.locator(".lobby-name").inner_text() == name
            assert entry.locator(".lobby-role").get_attribute("data-kind") == kind
        roles = worker.locator("#lobby-list .lobby-role").all_inner_texts()
        assert sorted(roles) == sorted(["Asiakas", "Vanhempi", "Tulkki", "Vieras"])
        worker.click("#admit-all-btn")

        for kind, page in pages.items():
            page.wait_for_selector("#stage-call:not([hidden])")
            for other in pages:
                if other != kind:
                    wait_frames(page, pids[other], more_than=0, timeout_ms=GROUP_WAIT_MS)
        # Frames keep coming from everyone, not a first burst only.
        before = {
            (k, o): frames_from(p, pids[o]) for k, p in pages.items() for o in pages if o != k
        }
        for (kind, other), count in before.items():
            wait_frames(pages[kind], pids[other], more_than=count, timeout_ms=GROUP_WAIT_MS)

        # With four others, each browser sends every one of them a quarter of the pixels,
        # at most 20 frames a second and 300 kbit/s.
        for kind, page in pages.items():
            page.wait_for_function(
                "() => [...document.querySelectorAll('.tile[data-pid]')].every("
                "t => t.dataset.sendMaxKbps === '300' && t.dataset.sendScale === '2'"
                " && t.dataset.sendMaxFps === '20')",
                timeout=GROUP_WAIT_MS,
            )
            sizes = page.eval_on_selector_all(
                ".tile[data-pid]", "tiles => tiles.map(t => t.dataset.sentSize)"
            )
            heights = [int(size.split("x")[1]) for size in sizes]
            assert len(heights) == 4 and all(0 < h <= 240 for h in heights), (kind, sizes)
        text = worker.inner_text("#tiles")
        assert all(name in text for name in CHOSEN.values())
    except Exception:
        for kind, page in pages.items():  # what each page had, to tell which pair failed
            print(kind, page.eval_on_selector_all(".tile[data-pid]", DATASETS))
        raise
    finally:
        for page in pages.values():
            page.context.close()
