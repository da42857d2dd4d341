"""The API tokens page passes axe in Finnish, Swedish and English, with a new token shown
and with the form's errors, and does not scroll sideways at 320 CSS pixels."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Organisation
from tests.e2e.conftest import DESKTOP, LiveServer, axe_violations, findings_on_every_page
from tests.e2e.test_staff_accessibility import staff_server
from tests.e2e.test_staff_reflow import NARROW, overflow

__all__ = ["staff_server"]  # the fixture, shared with the other staff page tests


def visit_token_pages(page: Any, server: LiveServer, lang: str) -> Iterator[str]:
    with server.app.app_context():
        org_id = db.session.scalar(select(Organisation.id))
        db.session.remove()
    base = server.url
    page.goto(f"{base}/staff/login?lang={lang}")
    page.select_option("#who", f"admin:{org_id}")
    page.locator(".dev-login button[type=submit]").click()
    page.wait_for_url(f"{base}/staff/agenda")
    page.goto(f"{base}/staff/admin/api-tokens")
    yield "API tokens"
    # Past the browser's own checks, to see the page's error summary.
    page.evaluate("document.querySelectorAll('form').forEach(f => { f.noValidate = true; })")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_selector(".error-summary")
    yield "API tokens, errors"
    page.fill("#name", f"Asiakastietojärjestelmä {lang}")
    page.select_option("#role", "org_admin")
    page.fill("#expires", "31.12.2099")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_selector(".secret code")
    page.wait_for_load_state("load")
    yield "API tokens, a new token shown"


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_api_tokens_page_passes_axe(browser: Any, staff_server: LiveServer, lang: str) -> None:
    found, problems = findings_on_every_page(
        browser,
        DESKTOP,
        lambda page: visit_token_pages(page, staff_server, lang),
        axe_violations,
        axe=True,
    )
    assert found == {}
    assert problems == []


def test_the_api_tokens_page_does_not_scroll_sideways_at_320_px(
    browser: Any, staff_server: LiveServer
) -> None:
    found, problems = findings_on_every_page(
        browser, NARROW, lambda page: visit_token_pages(page, staff_server, "sv"), overflow
    )
    assert found == {}
    assert problems == []
