"""The families' JSON API asks what the booking form asks: the language of the meeting
among those the held worker speaks, and the name as the service asks it (a nickname that
may be left out, or no name at all)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.models import Booking, BookingStatus, Organisation, Professional, Service
from tests.public.conftest import next_monday

CLIENT = {"email": "maija@example.org", "phone": "040 123 4567"}


def _service(slug: str = "palveluneuvonta") -> Service:
    service = db.session.scalar(select(Service).where(Service.slug == slug))
    assert service is not None
    return service


def _hold(client: FlaskClient, worker: str = "Johanna Lindqvist", **extra: str) -> dict[str, Any]:
    """Hold the first free time next week of ``worker`` (speaks Swedish, Finnish, English)."""
    service = _service()
    pro = db.session.scalar(select(Professional).where(Professional.name == worker))
    assert pro is not None
    day = next_monday()
    slots = client.get(
        f"/api/v1/services/{service.id}/slots?from={day}&to={day + timedelta(days=6)}"
        f"&professional_id={pro.id}"
    ).json
    assert slots is not None and slots["slots"], slots
    held = client.post(
        "/api/v1/holds",
        json={
            "service_id": service.id,
            "start_at": slots["slots"][0]["start_at"],
            "professional_id": pro.id,
            **extra,
        },
    )
    assert held.status_code == 201, held.text
    assert held.json is not None
    return held.json  # type: ignore[no-any-return]


def _confirm(http: FlaskClient, token: str, **fields: Any) -> Any:
    body = {"hold_token": token, "client": dict(CLIENT), "language": "fi", "consent": True}
    body.update(fields)
    return http.post("/api/v1/bookings", json=body)


def _confirmed() -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.status == BookingStatus.CONFIRMED)
        )
        or 0
    )


def test_the_api_books_in_a_meeting_language_the_worker_speaks(
    client: FlaskClient, demo: Organisation
) -> None:
    held = _hold(client)
    assert held["booking"]["professional"]["languages"] == ["sv", "fi", "en"]
    done = _confirm(client, held["hold_token"], meeting_language="sv")
    assert done.status_code == 201, done.text
    assert done.json["booking"]["language"] == "fi"  # the messages
    assert done.json["booking"]["meeting_language"] == "sv"
    booking = db.session.get(Booking, done.json["booking"]["id"])
    assert booking is not None and booking.meeting_language == "sv"


def test_a_meeting_language_the_worker_does_not_speak_is_refused_plainly(
    client: FlaskClient, demo: Organisation
) -> None:
    held = _hold(client, "Pekka Mäkelä")  # speaks Finnish only
    before = _confirmed()
    refused = _confirm(client, held["hold_token"], meeting_language="sv")
    assert refused.status_code == 422, refused.text
    error = refused.json["error"]
    assert error["code"] == "invalid_input"
    assert error["message"] == (
        "The worker of this time does not speak that language. Choose one of: fi."
    )
    assert "meeting_language" in error["fields"]
    assert _confirmed() == before
    # The hold is kept: the family may send the form again, now in Finnish.
    done = _confirm(client, held["hold_token"], meeting_language="fi")
    assert done.status_code == 201, done.text


def test_the_meeting_language_defaults_to_the_language_asked_when_holding(
    client: FlaskClient, demo: Organisation
) -> None:
    held = _hold(client, language="en")
    done = _confirm(client, held["hold_token"], language="fi")
    assert done.status_code == 201, done.text
    assert done.json["booking"]["language"] == "fi"
    assert done.json["booking"]["meeting_language"] == "en"


def test_a_nickname_service_books_without_a_name(client: FlaskClient, demo: Organisation) -> None:
    services = client.get("/api/v1/services").json["services"]
    rules = {s["slug"]: s["name_rule"] for s in services}
    assert rules["palveluneuvonta"] == "nickname" and rules["lastenvalvoja"] == "required"
    held = _hold(client)
    done = _confirm(client, held["hold_token"])  # no name at all
    assert done.status_code == 201, done.text
    assert done.json["booking"]["client_name"] is None
    second = _hold(client, "Pekka Mäkelä")
    nick = _confirm(client, second["hold_token"], client={**CLIENT, "name": " Mansikka "})
    assert nick.status_code == 201, nick.text
    assert nick.json["booking"]["client_name"] == "Mansikka"


def test_a_service_without_names_refuses_a_name_and_books_without_one(
    client: FlaskClient, demo: Organisation
) -> None:
    _service().name_rule = "none"
    db.session.commit()
    held = _hold(client)
    before = _confirmed()
    refused = _confirm(client, held["hold_token"], client={**CLIENT, "name": "Maija"})
    assert refused.status_code == 422, refused.text
    assert refused.json["error"]["message"] == (
        "This service does not ask for a name: leave the name out."
    )
    assert "client.name" in refused.json["error"]["fields"]
    assert _confirmed() == before
    done = _confirm(client, held["hold_token"])
    assert done.status_code == 201, done.text
    booking = db.session.get(Booking, done.json["booking"]["id"])
    assert booking is not None and booking.client_name is None


def test_a_service_that_needs_the_name_still_refuses_none(
    client: FlaskClient, demo: Organisation
) -> None:
    _service().name_rule = "required"
    db.session.commit()
    held = _hold(client)
    before = _confirmed()
    refused = _confirm(client, held["hold_token"], client={**CLIENT, "name": "  "})
    assert refused.status_code == 422, refused.text
    assert refused.json["error"]["fields"] == {"client.name": "required"}
    assert _confirmed() == before


def test_the_openapi_document_describes_the_meeting_language_and_the_optional_name(
    client: FlaskClient, demo: Organisation
) -> None:
    document = client.get("/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]
    confirm = schemas["ConfirmIn"]["properties"]
    assert "meeting_language" in confirm
    assert "professional.languages" in confirm["meeting_language"]["description"]
    assert "name" not in schemas["ClientIn"].get("required", [])
    assert "name_rule" in schemas["ServiceOut"]["properties"]


def test_messages_only_in_a_language_the_organisation_offers_families(
    client: FlaskClient, demo: Organisation
) -> None:
    """As on the booking form: an organisation offering Finnish and Swedish sends no
    English messages; the API says which it sends, and books nothing until asked right."""
    organisation = _service().organisation
    organisation.languages = ["fi", "sv"]
    db.session.commit()
    held = _hold(client)
    before = _confirmed()
    name = {"name": "Maija", **CLIENT}
    refused = _confirm(client, held["hold_token"], client=name, language="en")
    assert refused.status_code == 422, refused.text
    assert "fi, sv" in refused.json["error"]["message"]
    assert _confirmed() == before
    done = _confirm(client, held["hold_token"], client=name, language="sv")
    assert done.status_code == 201, done.text
    assert done.json["booking"]["language"] == "sv"
