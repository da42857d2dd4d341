"""What the family asked for is kept: a withheld worker or language is said, never dropped
for other results; the meeting's language and the name as the service asks them; the page
languages the organisation offers."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import CalendarFeed, Organisation, Professional, Service
from tests.public.conftest import FAMILY, booking_of, hold_first_time, service_url, slot_values


def _worker(name: str) -> Professional:
    pro = db.session.scalar(select(Professional).where(Professional.name == name))
    assert pro is not None
    return pro


def _stale_feed(pro: Professional) -> None:
    """A calendar feed read once, three days ago, and not since: its worker is withheld."""
    db.session.add(
        CalendarFeed(
            professional_id=pro.id,
            url="https://calendar.example.fi/feed.ics",
            created_at=now_utc() - timedelta(days=10),
            last_success_at=now_utc() - timedelta(days=3),
            consecutive_failures=5,
            report={},
        )
    )
    db.session.commit()


def test_a_withheld_worker_is_said_and_not_replaced_by_any_worker(
    client: FlaskClient, demo: Organisation
) -> None:
    johanna = _worker("Johanna Lindqvist")
    _stale_feed(johanna)
    page = client.get(service_url("palveluneuvonta", worker=str(johanna.id), lang="en"))
    assert page.status_code == 200
    # What was asked stays chosen, and no other worker's times stand in for it.
    assert f'<option value="{johanna.id}" selected>' in page.text
    assert "The times of Johanna Lindqvist are not available right now." in page.text
    assert slot_values(page.text) == []
    # The nearest alternative is offered apart, as a link to any worker's times.
    assert "The nearest free time of any worker is" in page.text
    link = re.search(r'href="([^"]+)" id="alternative-link"', page.text)
    assert link is not None and f"worker={johanna.id}" not in link.group(1)


def test_a_language_whose_speakers_are_withheld_is_said_not_dropped(
    client: FlaskClient, demo: Organisation
) -> None:
    _stale_feed(_worker("Johanna Lindqvist"))  # the only Swedish speaker of the service
    page = client.get(service_url("palveluneuvonta", speaks="sv", lang="en"))
    assert page.status_code == 200
    assert '<option value="sv" selected>' in page.text
    assert "No worker who speaks Swedish has times available right now." in page.text
    assert slot_values(page.text) == []


def test_holding_a_time_of_a_withheld_worker_says_so_and_is_no_404(
    client: FlaskClient, demo: Organisation
) -> None:
    johanna = _worker("Johanna Lindqvist")
    page = client.get(service_url("palveluneuvonta", worker=str(johanna.id)))
    start = slot_values(page.text)[0]
    _stale_feed(johanna)
    answer = client.post(
        "/o/tunturikyla/s/palveluneuvonta/hold?lang=en",
        data={"start": start, "worker": str(johanna.id)},
    )
    assert answer.status_code == 303
    back = client.get(answer.headers["Location"])
    assert "This worker&#39;s times are not available right now." in back.text
    service = db.session.scalar(select(Service).where(Service.slug == "palveluneuvonta"))
    assert service is not None
    api = client.post(
        "/api/v1/holds",
        json={"service_id": service.id, "start_at": start, "professional_id": johanna.id},
    )
    assert api.status_code == 409, api.text
    assert api.json is not None and api.json["error"]["code"] == "times_withheld"


def test_the_api_names_the_withheld_workers(client: FlaskClient, demo: Organisation) -> None:
    johanna = _worker("Johanna Lindqvist")
    _stale_feed(johanna)
    service = db.session.scalar(select(Service).where(Service.slug == "palveluneuvonta"))
    assert service is not None
    answer = client.get(f"/api/v1/services/{service.id}/slots?professional_id={johanna.id}")
    assert answer.status_code == 200
    assert answer.json is not None
    assert answer.json["slots"] == []
    assert answer.json["withheld_professional_ids"] == [johanna.id]


def test_the_family_chooses_the_meetings_language_from_the_workers_sami_too(
    client: FlaskClient, demo: Organisation
) -> None:
    aikio = _worker("Marja-Liisa Aikio")  # speaks Finnish and North Sámi
    aikio.services = [s for s in aikio.services if s.slug != "lastenvalvoja"]
    service = db.session.scalar(select(Service).where(Service.slug == "lastensuojelu"))
    assert service is not None
    service.requires_strong_id = False
    db.session.commit()
    form = hold_first_time(client, "lastensuojelu", worker=str(aikio.id))
    page = client.get(form + "?lang=fi")
    assert "Tapaamisen kieli" in page.text
    assert 'value="se"' in page.text and "pohjoissaame" in page.text
    assert "Sivujen ja viestien kieli" in page.text
    done = client.post(form, data={**FAMILY, "language": "fi", "meeting_language": "se"})
    assert done.status_code == 303, done.text
    token = done.headers["Location"].split("/")[2]
    booking = booking_of(token)
    assert (booking.language, booking.meeting_language) == ("fi", "se")


def test_an_anonymous_service_asks_a_nickname_only_and_books_without_a_name(
    client: FlaskClient, demo: Organisation
) -> None:
    form = hold_first_time(client)  # palveluneuvonta: "for everyone, anonymously"
    page = client.get(form + "?lang=en")
    assert "What may we call you? (optional, a nickname is fine)" in page.text
    done = client.post(form, data={**FAMILY, "name": ""})
    assert done.status_code == 303, done.text
    assert booking_of(done.headers["Location"].split("/")[2]).client_name is None


def test_a_service_that_does_not_ask_the_name_has_no_name_field(
    client: FlaskClient, demo: Organisation
) -> None:
    service = db.session.scalar(select(Service).where(Service.slug == "palveluneuvonta"))
    assert service is not None
    service.name_rule = "none"
    db.session.commit()
    form = hold_first_time(client)
    page = client.get(form + "?lang=en")
    assert 'id="name"' not in page.text
    done = client.post(form, data={k: v for k, v in FAMILY.items() if k != "name"})
    assert done.status_code == 303, done.text


def test_a_language_the_organisation_does_not_offer_is_not_shown(
    client: FlaskClient, demo: Organisation
) -> None:
    demo.languages = ["fi", "sv"]
    db.session.commit()
    page = client.get("/o/tunturikyla/?lang=en")
    assert '<html lang="fi">' in page.text
    assert "lang=en" not in page.text  # the language switch offers only fi and sv
    assert "lang=en" not in (page.headers.get("Set-Cookie") or "")
    swedish = client.get("/o/tunturikyla/?lang=sv")
    assert '<html lang="sv">' in swedish.text
