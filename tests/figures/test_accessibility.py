"""axe-core finds no violations on the feedback form (empty, with errors, thanked) and on
the figure page with its charts, in Finnish, Swedish and English, in Chromium under the
service's Content-Security-Policy; the form works with the keyboard alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.figures import snapshot_figures
from scheduler.kernel import now_utc
from scheduler.models import Booking, Feedback, FeedbackInvite, Organisation
from scheduler.tokens import new_token, token_hash
from tests.catalogues import compile_figures_catalogues, compile_staff_catalogues
from tests.e2e.conftest import (  # noqa: F401  (fixtures)
    DESKTOP,
    PHONE,
    LiveServer,
    axe_violations,
    browser,
    live_server,
    new_page,
    overflows_horizontally,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(live_server: LiveServer) -> LiveServer:  # noqa: F811
    compile_staff_catalogues()
    compile_figures_catalogues()
    live_server.app.config["DEV_LOGIN"] = True
    with live_server.app.app_context():
        # A week of history, so that every chart has something to draw.
        today = now_utc().date()
        org_id = db.session.scalar(select(Organisation.id))
        assert org_id is not None
        for back in range(7):
            db.session.add(
                Feedback(
                    organisation_id=org_id,
                    unit_id=1,
                    service_id=1,
                    received_on=today - timedelta(days=back),
                    rating=back % 5 + 1,
                    comment="Selkeä ja ystävällinen tapaaminen." if back else None,
                )
            )
        snapshot_figures()
        db.session.commit()
        db.session.remove()
    return live_server


def feedback_token(server: LiveServer) -> str:
    """A fresh one-time link to the form, as the job would have sent it."""
    token = new_token()
    with server.app.app_context():
        booking = db.session.scalars(select(Booking).order_by(Booking.id)).first()
        assert booking is not None
        db.session.add(
            FeedbackInvite(
                organisation_id=booking.organisation_id,
                booking_id=booking.id,
                unit_id=booking.service.unit_id,
                service_id=booking.service_id,
                token_hash=token_hash(token),
                created_at=now_utc(),
                expires_at=now_utc() + timedelta(days=14),
                used=False,
            )
        )
        db.session.commit()
        db.session.remove()
    return token


def reset_invites(server: LiveServer) -> None:
    with server.app.app_context():
        for invite in db.session.scalars(select(FeedbackInvite)):
            db.session.delete(invite)
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_feedback_form_passes_axe_and_works_by_keyboard(
    browser: Any,  # noqa: F811
    server: LiveServer,
    lang: str,
) -> None:
    reset_invites(server)
    token = feedback_token(server)
    context, page, watch = new_page(browser, PHONE, phone=True, axe=True)
    found: dict[str, list[str]] = {}
    try:
        page.goto(f"{server.url}/feedback/{token}?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        found["form"] = axe_violations(page)
        assert not overflows_horizontally(page)
        # Sent without a rating: the errors, with the comment kept.
        page.fill("#comment", "Hyvä")
        page.locator("form.feedback-form button[type=submit]").click()
        page.wait_for_selector(".error-summary")
        assert page.input_value("#comment") == "Hyvä"
        found["errors"] = axe_violations(page)
        # The keyboard alone: the radio group takes arrow keys, like any radio group.
        page.locator("#rating-0").focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert page.locator("#rating-2").is_checked()
        page.locator("form.feedback-form button[type=submit]").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server.url}/feedback/thanks*")
        found["thanks"] = axe_violations(page)
        page.goto(f"{server.url}/feedback/{token}?lang={lang}")
        found["used link"] = axe_violations(page)
    finally:
        context.close()
    assert {name: v for name, v in found.items() if v} == {}
    assert watch.problems == []


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_figure_page_passes_axe(browser: Any, server: LiveServer, lang: str) -> None:  # noqa: F811
    with server.app.app_context():
        org_id = db.session.scalar(select(Organisation.id))
        db.session.remove()
    context, page, watch = new_page(browser, DESKTOP, axe=True)
    found: dict[str, list[str]] = {}
    try:
        page.goto(f"{server.url}/staff/login?lang={lang}")
        page.select_option("#who", f"admin:{org_id}")
        page.locator(".dev-login button[type=submit]").click()
        page.wait_for_url(f"{server.url}/staff/agenda")
        page.goto(f"{server.url}/staff/admin")
        page.locator("a[href='/staff/figures']").click()
        page.wait_for_selector("svg.chart")
        assert page.locator("svg.chart[role=img]").count() == 6
        found["figures"] = axe_violations(page)
        for summary in page.locator("details.chart-table summary").all():
            summary.click()
        found["figures with tables open"] = axe_violations(page)
        page.select_option("#subject", index=1)
        page.locator(".figures-filter button[type=submit]").click()
        page.wait_for_selector("svg.chart")
        found["a service"] = axe_violations(page)
        page.fill("#end", "2000-01-01")
        page.locator(".figures-filter button[type=submit]").click()
        page.wait_for_selector(".error-summary")
        found["period errors"] = axe_violations(page)
    finally:
        context.close()
    assert {name: v for name, v in found.items() if v} == {}
    assert watch.problems == []


def test_figure_page_fits_320_px(browser: Any, server: LiveServer) -> None:  # noqa: F811
    """Only the wide table scrolls, inside its own region; the page does not."""
    with server.app.app_context():
        org_id = db.session.scalar(select(Organisation.id))
        db.session.remove()
    context, page, watch = new_page(browser, {"width": 320, "height": 640}, phone=True)
    try:
        page.goto(f"{server.url}/staff/login?lang=fi")
        page.select_option("#who", f"admin:{org_id}")
        page.locator(".dev-login button[type=submit]").click()
        page.wait_for_url(f"{server.url}/staff/agenda")
        page.goto(f"{server.url}/staff/figures")
        page.wait_for_selector("svg.chart")
        assert not overflows_horizontally(page)
        assert page.locator("#figure-runs").inner_text().startswith("Laskettu viimeksi:")
    finally:
        context.close()
    assert watch.problems == []
