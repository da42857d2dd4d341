"""A worker or language that no worker of the service answers to is said so, never read as
"any worker"; when only some speakers of the asked-for language are withheld, the others'
times are shown and the family is told that some are not."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import (
    Booking,
    BookingStatus,
    CalendarFeed,
    Organisation,
    Professional,
    Service,
)
from tests.public.conftest import book, service_url, slot_values

NOT_OFFERED = "This worker does not offer this service."


def _worker(name: str) -> Professional:
    pro = db.session.scalar(select(Professional).where(Professional.name == name))
    assert pro is not None
    return pro


def _service(slug: str = "palveluneuvonta") -> Service:
    service = db.session.scalar(select(Service).where(Service.slug == slug))
    assert service is not None
    return service


def _alternative(html: str) -> str:
    link = re.search(r'href="([^"]+)" id="alternative-link"', html)
    assert link is not None, "no link to the times of any worker"
    return link.group(1).replace("&amp;", "&")


def _held() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Booking).where(Booking.status == BookingStatus.HELD)
        )
        or 0
    )


def test_a_worker_who_does_not_offer_the_service_is_said_not_replaced(
    client: FlaskClient, demo: Organisation
) -> None:
    aino = _worker("Aino Niemelä")  # a child supervisor: no service counselling
    for asked in (str(aino.id), "abc", "999999"):
        page = client.get(service_url("palveluneuvonta", worker=asked, lang="en"))
        assert page.status_code == 200
        assert NOT_OFFERED in page.text, asked
        # No other worker's times stand in under the heading of the asked-for one.
        assert slot_values(page.text) == [], asked
        assert "Week " not in page.text.split('id="free-times"')[1]
        # The times of any worker: behind a link of their own, clearly labelled.
        assert "See the times of any worker" in page.text
        assert "worker=" not in _alternative(page.text)
    any_worker = client.get(_alternative(page.text))
    assert slot_values(any_worker.text) != []
    assert NOT_OFFERED not in any_worker.text


def test_the_finnish_and_swedish_pages_say_it_too(client: FlaskClient, demo: Organisation) -> None:
    finnish = client.get(service_url("palveluneuvonta", worker="abc", lang="fi"))
    assert "Tämä työntekijä ei tarjoa tätä palvelua." in finnish.text
    swedish = client.get(service_url("palveluneuvonta", worker="abc", lang="sv"))
    assert "Den här medarbetaren erbjuder inte den här tjänsten." in swedish.text


def test_a_language_no_worker_speaks_is_said_not_dropped(
    client: FlaskClient, demo: Organisation
) -> None:
    page = client.get(service_url("palveluneuvonta", speaks="se", lang="en"))
    assert "No worker of this service speaks the language asked for." in page.text
    assert slot_values(page.text) == []
    assert "speaks=" not in _alternative(page.text)


def test_holding_with_a_worker_who_does_not_offer_the_service_holds_nothing(
    client: FlaskClient, demo: Organisation
) -> None:
    start = slot_values(client.get(service_url("palveluneuvonta")).text)[0]
    aino = _worker("Aino Niemelä")
    before = _held()
    answer = client.post(
        "/o/tunturikyla/s/palveluneuvonta/hold?lang=en",
        data={"start": start, "worker": str(aino.id)},
    )
    assert answer.status_code == 303
    assert f"worker={aino.id}" in answer.headers["Location"]
    assert _held() == before
    back = client.get(answer.headers["Location"])
    assert NOT_OFFERED in back.text


def test_the_move_view_says_so_too(client: FlaskClient, demo: Organisation) -> None:
    token = book(client)
    aino = _worker("Aino Niemelä")
    page = client.get(f"/manage/{token}/move?worker={aino.id}&lang=en")
    assert page.status_code == 200
    assert NOT_OFFERED in page.text
    assert slot_values(page.text) == []
    assert "worker=any" in _alternative(page.text)
    # By default the booking's own worker is asked, and shown.
    default = client.get(f"/manage/{token}/move?lang=en")
    assert NOT_OFFERED not in default.text and slot_values(default.text) != []
    refused = client.post(
        f"/manage/{token}/move?lang=en",
        data={"start": slot_values(default.text)[0], "worker": str(aino.id), "confirm": "yes"},
    )
    assert refused.status_code == 303
    assert f"worker={aino.id}" in refused.headers["Location"]


def test_some_withheld_speakers_are_said_and_the_others_times_shown(
    client: FlaskClient, demo: Organisation
) -> None:
    johanna = _worker("Johanna Lindqvist")  # one of the Finnish speakers of the service
    db.session.add(
        CalendarFeed(
            professional_id=johanna.id,
            url="https://calendar.example.fi/feed.ics",
            created_at=now_utc() - timedelta(days=10),
            last_success_at=now_utc() - timedelta(days=3),
            consecutive_failures=5,
            report={},
        )
    )
    db.session.commit()
    page = client.get(service_url("palveluneuvonta", speaks="fi", lang="en"))
    assert '<option value="fi" selected>' in page.text
    assert (
        "Some workers who speak Finnish are not shown right now, because their times are "
        "not available. The times of the others are shown."
    ) in page.text
    assert slot_values(page.text) != []
    finnish = client.get(service_url("palveluneuvonta", speaks="fi", lang="fi"))
    assert (
        "Kaikkien kieltä suomi puhuvien työntekijöiden aikoja ei näytetä juuri nyt" in finnish.text
    )
    # With nobody withheld, nothing is said.
    db.session.execute(CalendarFeed.__table__.delete())
    db.session.commit()
    fresh = client.get(service_url("palveluneuvonta", speaks="fi", lang="en"))
    assert "Some workers who speak" not in fresh.text


def test_the_api_answers_404_for_a_worker_or_language_nobody_answers_to(
    client: FlaskClient, demo: Organisation
) -> None:
    service = _service()
    aino = _worker("Aino Niemelä")
    slots = f"/api/v1/services/{service.id}/slots"
    for query, message in (
        (f"professional_id={aino.id}", "No such worker offers this service."),
        ("professional_id=999999", "No such worker offers this service."),
        ("language=se", "No worker of this service speaks this language."),
    ):
        answer = client.get(f"{slots}?{query}")
        assert answer.status_code == 404, (query, answer.text)
        assert answer.json is not None
        assert answer.json["error"] == {"code": "no_professional", "message": message}
    assert client.get(f"{slots}?professional_id=abc").status_code == 422
    assert client.get(f"{slots}?language=sv").status_code == 200
    held = client.post(
        "/api/v1/holds",
        json={
            "service_id": service.id,
            "start_at": client.get(slots).json["slots"][0]["start_at"],
            "professional_id": aino.id,
        },
    )
    assert held.status_code == 404 and held.json["error"]["code"] == "no_professional"
