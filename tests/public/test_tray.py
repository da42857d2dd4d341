"""The service tray and the week view of free times."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask.testing import FlaskClient

from scheduler.kernel import HELSINKI
from scheduler.models import Organisation
from tests.public.conftest import next_monday, service_url, slot_values


def test_tray_groups_services_by_need_and_tells_how_they_are_met(
    client: FlaskClient, demo: Organisation
) -> None:
    page = client.get("/?lang=en")
    assert page.status_code == 200
    text = page.text
    assert "Municipality of Tunturikylä" in text
    for name in (
        "Child supervisor",
        "Service counselling",
        "Child protection social work",
        "Adult social work",
        "Disability services",
    ):
        assert name in text
    assert text.index("Advice and guidance") < text.index("Service counselling")
    assert "Strong identification needed" in text and "No identification needed" in text
    assert "Video call, Phone call" in text
    assert 'href="/o/tunturikyla/s/lastenvalvoja"' in text


def test_tray_of_an_unknown_organisation_is_a_page_not_found(client: FlaskClient) -> None:
    page = client.get("/o/nowhere/", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert 'lang="fi"' in page.text
    assert "Sivua ei löytynyt" in page.text


def test_week_view_starts_on_monday_and_links_to_the_weeks_around_it(
    client: FlaskClient, demo: Organisation
) -> None:
    monday = next_monday()
    page = client.get(service_url("palveluneuvonta", lang="fi"))
    headings = re.findall(r'<h3 id="day-\d"[^>]*>(\w+)', page.text)
    assert headings == [
        "Maanantai",
        "Tiistai",
        "Keskiviikko",
        "Torstai",
        "Perjantai",
        "Lauantai",
        "Sunnuntai",
    ]
    assert f"week={(monday - timedelta(days=7)).isoformat()}" in page.text
    assert f"week={(monday + timedelta(days=7)).isoformat()}" in page.text
    starts = [datetime.fromisoformat(s) for s in slot_values(page.text)]
    assert starts
    assert all(monday <= s.astimezone(HELSINKI).date() < monday + timedelta(days=7) for s in starts)
    assert "klo 8.00" in page.text


def test_this_week_has_no_previous_week_link(client: FlaskClient, demo: Organisation) -> None:
    page = client.get("/o/tunturikyla/s/palveluneuvonta")
    assert 'rel="prev"' not in page.text
    assert 'rel="next"' in page.text


def test_named_worker_shows_only_that_workers_times(
    client: FlaskClient, demo: Organisation
) -> None:
    everyone = client.get(service_url("palveluneuvonta"))
    pekka = re.search(r'<option value="(\d+)">Pekka Mäkelä', everyone.text)
    assert pekka
    his = client.get(service_url("palveluneuvonta", worker=pekka.group(1)))
    mine, all_times = set(slot_values(his.text)), set(slot_values(everyone.text))
    assert mine and mine < all_times
    # Pekka works on Mondays, Wednesdays and Fridays only.
    weekdays = {datetime.fromisoformat(s).astimezone(HELSINKI).weekday() for s in mine}
    assert weekdays <= {0, 2, 4}


def test_worker_who_speaks_a_language_can_be_asked_for(
    client: FlaskClient, demo: Organisation
) -> None:
    page = client.get(service_url("palveluneuvonta", lang="fi"))
    assert '<option value="sv">ruotsi</option>' in page.text
    swedish = client.get(service_url("palveluneuvonta", speaks="sv"))
    times = slot_values(swedish.text)
    assert times and set(times) < set(slot_values(page.text))
    sami = client.get(service_url("lastenvalvoja", lang="fi"))
    assert '<option value="se">pohjoissaame</option>' in sami.text


def test_an_unknown_way_of_meeting_falls_back_but_unknown_workers_are_said(
    client: FlaskClient, demo: Organisation
) -> None:
    page = client.get(service_url("palveluneuvonta", mode="fax"))
    assert page.status_code == 200
    assert slot_values(page.text) == slot_values(client.get(service_url("palveluneuvonta")).text)
    # A worker or language nobody answers to is never read as "any" (test_unknown_asked.py).
    unknown = client.get(service_url("palveluneuvonta", worker="x", speaks="zz", lang="en"))
    assert unknown.status_code == 200 and slot_values(unknown.text) == []
    assert "This worker does not offer this service." in unknown.text


def test_each_time_button_names_its_day_for_screen_readers(
    client: FlaskClient, demo: Organisation
) -> None:
    page = client.get(service_url("palveluneuvonta", lang="sv"))
    button = re.search(r'<button type="submit" name="start"[^>]*>(.*?)</button>', page.text)
    assert button
    assert re.fullmatch(
        r'<span class="vh">Måndag \d+\.\d+\.\d{4} </span>kl\. \d+\.\d\d', button.group(1)
    )
