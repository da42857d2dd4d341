"""CSRF, rate limits, no inline code, and secrets kept out of URLs and caches."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scheduler.demo import create_demo
from scheduler.extensions import db
from scheduler.models import Organisation
from tests.conftest import make_app
from tests.public.conftest import FAMILY, book, hold_first_time, service_url, slot_values


@pytest.fixture
def strict_app(tmp_path: Path) -> Iterator[Flask]:
    """The app as deployed: CSRF on, rate limits on (a low one, to reach it)."""
    from scheduler.schema import create_all

    app = make_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'strict.db'}",
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
        RATELIMIT_PUBLIC="3 per minute",
    )
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        create_demo()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "the form has no CSRF token"
    return match.group(1)


def test_every_form_carries_a_csrf_token_and_posts_without_one_are_refused(
    strict_app: Flask,
) -> None:
    client = strict_app.test_client()
    page = client.get(service_url("palveluneuvonta"))
    start = slot_values(page.text)[0]
    refused = client.post("/o/tunturikyla/s/palveluneuvonta/hold", data={"start": start})
    assert refused.status_code == 400
    held = client.post(
        "/o/tunturikyla/s/palveluneuvonta/hold",
        data={"start": start, "csrf_token": csrf_of(page.text)},
    )
    assert held.status_code == 303
    form = client.get(held.headers["Location"])
    token = csrf_of(form.text)
    assert client.post(held.headers["Location"], data=FAMILY).status_code == 400
    done = client.post(held.headers["Location"], data={**FAMILY, "csrf_token": token})
    assert done.status_code == 303
    manage = done.headers["Location"].removesuffix("/booked")
    cancel_page = client.get(manage + "/cancel")
    assert client.post(manage + "/cancel", data={}).status_code == 400
    assert (
        client.post(manage + "/cancel", data={"csrf_token": csrf_of(cancel_page.text)}).status_code
        == 303
    )


def test_public_posts_are_rate_limited(strict_app: Flask) -> None:
    client = strict_app.test_client()
    page = client.get(service_url("palveluneuvonta", lang="en"))
    token = csrf_of(page.text)
    starts = slot_values(page.text)
    codes = [
        client.post(
            "/o/tunturikyla/s/palveluneuvonta/hold?lang=en", data={"start": s, "csrf_token": token}
        ).status_code
        for s in starts[:4]
    ]
    assert codes == [303, 303, 303, 429]
    limited = client.post(
        "/o/tunturikyla/s/palveluneuvonta/hold?lang=en",
        data={"start": starts[5], "csrf_token": token},
    )
    assert "Too many attempts" in limited.text
    # Reading pages is not limited by the booking limit.
    assert client.get(service_url("palveluneuvonta")).status_code == 200


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    re.compile(r"\sstyle=", re.I),
    re.compile(r"<style", re.I),
    re.compile(r"\son[a-z]+=", re.I),
]


def public_pages(client: FlaskClient) -> dict[str, str]:
    """Every family page, and the development pages (which then are on)."""
    assert client.application.config["DEV_TOOLS"] is True
    form = hold_first_time(client)
    token = book(client)
    strong = hold_first_time(client, "lastenvalvoja")
    client.post(f"{strong}/identify")
    return {
        "development identification": "/dev/identify",
        "messages sent": "/dev/messages",
        "tray": "/",
        "service": service_url("palveluneuvonta"),
        "form": form,
        "identify": strong,
        "confirmed": f"/manage/{token}/booked",
        "manage": f"/manage/{token}",
        "cancel": f"/manage/{token}/cancel",
        "move": f"/manage/{token}/move",
        "accessibility": "/accessibility",
        "privacy": "/privacy",
        "not found": "/manage/nothing-here",
    }


def test_no_page_has_inline_scripts_styles_or_handlers(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    for name, url in public_pages(client).items():
        html = client.get(url).text
        for pattern in INLINE:
            assert not pattern.search(html), f"{name} page: {pattern.pattern}"


def test_pages_with_client_data_are_never_cached(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    pages = public_pages(client)
    for name in ("form", "identify", "confirmed", "manage", "cancel", "move", "messages sent"):
        assert client.get(pages[name]).headers["Cache-Control"] == "no-store", name


def test_urls_carry_no_client_data(client: FlaskClient, demo: Organisation) -> None:
    form = hold_first_time(client)
    response = client.post(form, data=FAMILY)
    location = response.headers["Location"]
    assert re.fullmatch(r"/manage/[A-Za-z0-9_-]{43}/booked", location)
    page = client.get(location).text
    for href in re.findall(r'(?:href|action)="([^"]+)"', page):
        for value in ("Maija", "maija@example.org", "4567", "358"):
            assert value not in href


def test_the_language_switch_is_on_every_page_and_remembered(
    client: FlaskClient, demo: Organisation, dev_tools: Flask
) -> None:
    for name, url in public_pages(client).items():
        html = client.get(url).text
        for code in ("fi", "sv", "en"):
            assert re.search(rf'<a href="[^"]*lang={code}"[^>]*hreflang="{code}"', html), name
        assert 'href="/accessibility"' in html and 'href="/privacy"' in html, name
        assert 'class="skip-link" href="#main"' in html, name
    chosen = client.get("/?lang=sv")
    assert "lang=sv" in chosen.headers["Set-Cookie"]
    assert '<html lang="sv">' in client.get("/privacy").text


def test_organisation_pages_name_the_organisation(client: FlaskClient, demo: Organisation) -> None:
    assert "Tunturikylä kommun" in client.get("/o/tunturikyla/?lang=sv").text


@pytest.fixture
def limited_app(tmp_path: Path) -> Iterator[Flask]:
    """Low limits on reading pages, the slot search and staff sign-in."""
    from scheduler.schema import create_all

    app = make_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'limited.db'}",
        RATELIMIT_ENABLED=True,
        RATELIMIT_PAGES="2 per minute",
        RATELIMIT_SIGN_IN="2 per minute",
        DEV_LOGIN=True,
    )
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        create_demo()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_pages_searches_and_sign_in_are_rate_limited_and_say_when_to_retry(
    limited_app: Flask,
) -> None:
    from scheduler.models import Service

    service_id = db.session.scalar(db.select(Service.id).where(Service.slug == "palveluneuvonta"))
    token = "x" * 43
    requests = {
        "week view": lambda c: c.get(service_url("palveluneuvonta")),
        "slot search": lambda c: c.get(
            f"/api/v1/services/{service_id}/slots?from=2030-01-07&to=2030-01-08"
        ),
        "manage page": lambda c: c.get(f"/manage/{token}"),
        "move week view": lambda c: c.get(f"/manage/{token}/move"),
        "staff sign-in": lambda c: c.post("/staff/login/dev", data={"user_id": "1"}),
    }
    for name, request in requests.items():
        client = limited_app.test_client()
        answers = [request(client) for _ in range(3)]
        assert [a.status_code == 429 for a in answers] == [False, False, True], name
        retry = answers[-1].headers.get("Retry-After", "")
        assert retry.isdigit() and 1 <= int(retry) <= 61, (name, retry)  # the minute's end
