"""What the family pages say is true: the privacy notice gives the retention period that
is set, and the worker drop-down names each worker in a line that fits a phone."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from scheduler.extensions import db
from scheduler.models import Organisation
from tests.public.conftest import FAMILY, hold_first_time, service_url


def test_the_privacy_notice_gives_the_retention_period_that_is_set(
    client: FlaskClient, demo: Organisation, app: Flask
) -> None:
    assert "730 päivää (2 vuotta)" in client.get("/privacy?lang=fi").text
    app.config["RETENTION_DAYS"] = 400
    assert "400 dagar efter mötet" in client.get("/privacy?lang=sv").text
    assert "(1 år)" not in client.get("/privacy?lang=sv").text
    assert "removed 400 days after the meeting" in client.get("/privacy?lang=en").text


def test_worker_options_are_names_under_their_titles(
    client: FlaskClient, demo: Organisation
) -> None:
    page = client.get(service_url("palveluneuvonta", lang="fi")).text
    assert re.search(r'<optgroup label="sosiaaliohjaaja">\s*<option value="\d+">', page)
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', page)
    assert options and all("," not in text for text in options)


def test_swedish_texts_use_one_term_for_a_worker() -> None:
    root = Path(__file__).resolve().parents[2]
    swedish = [
        *root.glob("translations/*/sv/LC_MESSAGES/messages.po"),
        *root.glob("templates/**/*_sv.html"),
    ]
    # Every catalogue area's Swedish (messages included) and the Swedish documents.
    areas = {path.name for path in root.glob("translations/*") if path.is_dir()}
    assert len(swedish) >= len(areas) + 2
    mixed = [str(path) for path in swedish if "arbetstagar" in path.read_text().lower()]
    assert mixed == []  # "medarbetare" everywhere


def test_the_accessibility_statement_covers_video_and_staff_pages_and_javascript(
    client: FlaskClient, demo: Organisation
) -> None:
    words = {
        "fi": (
            "videotapaamisen sivuja",
            "henkilöstön sivuja",
            "Videotapaaminen tarvitsee JavaScriptin",
        ),
        "sv": ("videomötets sidor", "personalens sidor", "Videomötet kräver JavaScript"),
        "en": ("video meeting pages", "the staff pages", "The video meeting needs JavaScript"),
    }
    for lang, expected in words.items():
        page = client.get(f"/accessibility?lang={lang}").text
        assert all(text in page for text in expected), lang


def test_the_organisations_languages_limit_the_switch_and_the_messages(
    client: FlaskClient, demo: Organisation
) -> None:
    demo.languages = ["fi", "sv"]
    db.session.commit()
    tray = client.get("/?lang=fi").text
    assert 'hreflang="sv"' in tray and 'hreflang="en"' not in tray
    form = hold_first_time(client)
    page = client.get(form + "?lang=fi").text
    assert 'name="language" type="radio" value="sv"' in page or 'value="sv"' in page
    assert 'id="language-2"' not in page  # no third choice: English is not offered
    refused = client.post(form, data={**FAMILY, "language": "en"})
    assert refused.status_code == 422
    done = client.post(form, data={**FAMILY, "language": "sv"})
    assert done.status_code == 303
