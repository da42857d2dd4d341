"""What a booking must know and what it must forget: a phone meeting needs the number to
call, text messages need a mobile number, a name is more than spaces; the worker's admin
page names services in words; retention forgets the names in the video room; and the
worker's call page, which names the family, is in the access log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.booking import meetings
from scheduler.booking.retention import purge_personal_data
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import AccessLogEntry, Booking, StaffRole, StaffUser
from scheduler.staff.blueprint import SESSION_KEY
from tests.booking_api import client_body, iso, next_weekday_at
from tests.factories import Factories
from tests.video.helpers import path_of, video_booking
from video.models import Participant

LANDLINE = "09 310 1691"  # a Helsinki fixed line
MOBILE = "040 123 4567"


def _hold(client: FlaskClient, make: Factories, mode: str) -> str:
    service = make.service(meeting_modes=["video", "phone"])
    make.professional(service)
    db.session.commit()
    held = client.post(
        "/api/v1/holds",
        json={"service_id": service.id, "start_at": iso(next_weekday_at(10)), "meeting_mode": mode},
    )
    assert held.status_code == 201, held.json
    return str(held.json["hold_token"])


def _confirm(client: FlaskClient, token: str, **contact: Any) -> Any:
    return client.post("/api/v1/bookings", json=client_body(token, client=contact))


def test_a_phone_meeting_cannot_be_booked_without_a_phone_number_through_the_api(
    client: FlaskClient, make: Factories
) -> None:
    token = _hold(client, make, "phone")
    refused = _confirm(client, token, name="Maija", email="maija@example.org")
    assert refused.status_code == 422
    assert "phone" in refused.json["error"]["message"]
    assert "client.phone" in refused.json["error"]["fields"]
    assert _confirm(client, token, name="Maija", phone=MOBILE).status_code == 201


def test_a_landline_is_refused_as_the_number_text_messages_go_to(
    client: FlaskClient, make: Factories
) -> None:
    token = _hold(client, make, "video")
    refused = _confirm(client, token, name="Maija", phone=LANDLINE)
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "not_mobile"
    assert "landline" in refused.json["error"]["message"]
    booked = _confirm(client, token, name="Maija", phone=MOBILE)
    assert booked.json["booking"]["client_phone"] == "+358401234567"


def test_a_name_of_spaces_is_refused_through_the_api(client: FlaskClient, make: Factories) -> None:
    token = _hold(client, make, "video")
    refused = _confirm(client, token, name="   ", email="maija@example.org")
    assert refused.status_code == 422
    assert db.session.scalars(select(Booking.client_name)).all() == [None]


def _form_hold(client: FlaskClient, make: Factories, mode: str) -> str:
    return f"/book/{_hold(client, make, mode)}"


FORM = {"name": "Maija Meikäläinen", "email": "maija@example.org", "language": "en", "consent": "y"}


def test_the_booking_form_asks_for_the_number_of_a_phone_meeting(
    client: FlaskClient, make: Factories
) -> None:
    path = _form_hold(client, make, "phone")
    refused = client.post(path + "?lang=en", data=FORM)
    assert refused.status_code == 422
    assert "write the phone number to call" in refused.text
    assert client.post(path, data={**FORM, "phone": MOBILE}).status_code == 303


def test_the_booking_form_refuses_a_landline_and_a_name_of_spaces(
    client: FlaskClient, make: Factories
) -> None:
    path = _form_hold(client, make, "video")
    landline = client.post(path + "?lang=en", data={**FORM, "phone": LANDLINE})
    assert landline.status_code == 422
    assert "text messages cannot reach a landline" in landline.text
    spaces = client.post(path + "?lang=en", data={**FORM, "name": "   "})
    assert spaces.status_code == 422
    assert "Write your name." in spaces.text
    assert db.session.scalars(select(Booking.client_name)).all() == [None]


def test_the_workers_admin_page_names_the_services_in_words(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    service = make.service(name={"fi": "Lastenvalvoja", "sv": "Barnatillsyningsman", "en": "Child"})
    pro = make.professional(service)
    admin = StaffUser(
        organisation_id=service.organisation_id,
        role=StaffRole.ORG_ADMIN.value,
        email="admin@example.org",
        name="Pääkäyttäjä",
        active=True,
        created_at=now_utc(),
    )
    db.session.add(admin)
    db.session.commit()
    with client.session_transaction() as session:
        session[SESSION_KEY] = admin.id
    page = client.get(f"/staff/admin/workers/{pro.id}?lang=fi")
    assert page.status_code == 200
    assert "Lastenvalvoja" in page.text
    assert "{&#39;fi&#39;" not in page.text and "{'fi'" not in page.text


def test_retention_forgets_the_names_in_the_video_room(app: Flask, make: Factories) -> None:
    app.config["RETENTION_DAYS"] = 30
    booking = video_booking(make, starts_in=-timedelta(days=40))
    meetings.invite_participant(booking, "interpreter", "Tulkki Tuula")
    db.session.commit()
    names = dict(db.session.execute(select(Participant.kind, Participant.display_name)).all())
    assert names["family"] == "Liisa Virtanen"
    assert purge_personal_data() == 1
    db.session.commit()
    db.session.expire_all()
    names = dict(db.session.execute(select(Participant.kind, Participant.display_name)).all())
    assert names == {"worker": "Anna Työntekijä", "family": "", "interpreter": ""}
    assert db.session.scalars(
        select(Participant.link_hash).where(Participant.kind != "worker")
    ).all() == [None, None]


def test_the_workers_call_page_is_written_in_the_access_log(app: Flask, make: Factories) -> None:
    booking = video_booking(make)
    booking.client_email = "liisa@example.org"
    link = meetings.worker_join_link(booking)
    db.session.commit()
    page = app.test_client().get(path_of(link))  # type: ignore[arg-type]
    assert page.status_code == 200
    rows = db.session.scalars(select(AccessLogEntry)).all()
    assert [(r.action, r.target, r.role) for r in rows] == [
        ("booking.video_host_view", f"booking:{booking.id}", "worker")
    ]
    assert "Anna Työntekijä" in rows[0].actor
    assert rows[0].client_ref is not None
