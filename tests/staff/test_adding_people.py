"""Adding people to a booking later: a colleague only when free (or outside their weekly
hours when said so), a guest by name and contact; each is invited with a link of their
own, the family is told who takes part (names only where the service allows), and removing
someone asks first, tells them and ends their link."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

import notifications
from notifications import OutboxMessage
from scheduler.booking.participants import participant_by_token, participants_of
from scheduler.extensions import db
from scheduler.kernel import Problem
from scheduler.models import AccessLogEntry, Booking, BookingParticipant
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local


def _setting(make: Factories, staff: Staff, **service_fields: object) -> tuple[Booking, object]:
    service = make.service(**service_fields)
    pro = make.professional(service, name="Liisa Sosiaalityöntekijä", email="liisa@example.org")
    booking = staff.booking(service, pro, at_local(4, 10))
    return booking, staff.user("worker", professional=pro)


def _sent(template: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == template)
            .order_by(OutboxMessage.id)
        )
    )


def _participant_count() -> int:
    return db.session.scalar(select(func.count()).select_from(BookingParticipant)) or 0


def test_a_free_colleague_is_added_invited_and_named_to_the_family(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, user = _setting(make, staff)
    colleague = make.professional(
        booking.service, name="Pekka Perheneuvoja", email="pekka@example.org", languages=["sv"]
    )
    sign_in(user)
    page = client.get(f"/staff/bookings/{booking.id}/people?lang=fi").get_data(as_text=True)
    assert "Pekka Perheneuvoja" in page
    added = client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id)},
    )
    assert added.status_code == 303
    (person,) = participants_of(booking)
    assert (person.role, person.professional_id, person.language) == (
        "professional",
        colleague.id,
        "sv",
    )
    assert [(m.recipient, m.language) for m in _sent("invitation")] == [("pekka@example.org", "sv")]
    told = _sent("taking_part")
    assert {m.recipient for m in told} == {"maija@example.org", "+358401234567"}
    rendered = notifications.preview(told[0])
    assert "Toinen työntekijä: Pekka Perheneuvoja" in rendered.text
    assert "pekka@example.org" not in rendered.text


def test_a_colleague_who_is_not_free_is_refused_unless_outside_hours_is_said(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, user = _setting(make, staff)
    # Open only in the afternoon: the 10 o'clock meeting is outside the weekly hours.
    colleague = make.professional(booking.service, hours=(time(13), time(16)))
    sign_in(user)
    refused = client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id)},
    )
    assert refused.status_code == 409
    assert "ei ole vapaana" in refused.get_data(as_text=True)
    assert _participant_count() == 0 and _sent("invitation") == []
    assert db.session.scalar(
        select(AccessLogEntry.id).where(
            AccessLogEntry.action == "participant.add", AccessLogEntry.result == "denied"
        )
    )
    added = client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id), "outside_hours": "1"},
    )
    assert added.status_code == 303
    assert _participant_count() == 1


def test_the_outside_hours_override_does_not_reach_over_an_absence(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, user = _setting(make, staff)
    colleague = make.professional(booking.service)
    make.absence(colleague, booking.start_at - timedelta(hours=1), booking.end_at)
    sign_in(user)
    refused = client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(colleague.id), "outside_hours": "1"},
    )
    assert refused.status_code == 409
    assert _participant_count() == 0


def test_a_guest_is_added_and_removed_after_a_question(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, user = _setting(make, staff, participant_names_shown=False)
    sign_in(user)
    added = client.post(
        f"/staff/bookings/{booking.id}/people/guest",
        data={"name": "Terhi Terveydenhoitaja", "email": "terhi@koulu.example", "language": "fi"},
    )
    assert added.status_code == 303
    (guest,) = participants_of(booking)
    told = _sent("taking_part")
    assert told[0].context["people"] == [["guest", None]]  # roles only, by the service's rule
    assert "Terhi" not in notifications.preview(told[0]).text
    sealed = notifications.sealed_secrets(f"booking:{booking.uid}:p{guest.id}")
    assert sealed is not None and "join_url" in sealed
    token = sealed["manage_url"].rsplit("/", 1)[1]
    assert participant_by_token(token).id == guest.id

    question = client.get(f"/staff/bookings/{booking.id}/people/{guest.id}/remove?lang=fi")
    assert question.status_code == 200
    assert "Poistetaanko Terhi Terveydenhoitaja tapaamisesta?" in question.get_data(as_text=True)
    assert participants_of(booking) == [guest]  # asking changed nothing
    removed = client.post(f"/staff/bookings/{booking.id}/people/{guest.id}/remove")
    assert removed.status_code == 303
    assert participants_of(booking) == []
    assert [m.recipient for m in _sent("cancelled")] == ["terhi@koulu.example"]
    assert len(_sent("taking_part")) == 2 * len(told)
    with pytest.raises(Problem):
        participant_by_token(token)
    again = client.post(f"/staff/bookings/{booking.id}/people/{guest.id}/remove")
    assert again.status_code == 409


def test_a_guest_without_any_contact_is_refused_and_nothing_changes(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, user = _setting(make, staff)
    sign_in(user)
    refused = client.post(
        f"/staff/bookings/{booking.id}/people/guest",
        data={"name": "Nimi Ilman", "language": "fi"},
    )
    assert refused.status_code == 422
    assert "Anna sähköpostiosoite tai matkapuhelinnumero" in refused.get_data(as_text=True)
    assert _participant_count() == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_worker_cannot_add_people_to_another_workers_booking(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, _user = _setting(make, staff)
    other = make.professional(booking.service)
    sign_in(staff.user("worker", professional=other))
    refused = client.post(
        f"/staff/bookings/{booking.id}/people/guest",
        data={"name": "Vieras", "email": "vieras@example.org", "language": "fi"},
    )
    assert refused.status_code == 403
    assert _participant_count() == 0


def test_the_familys_own_page_names_who_takes_part_without_contact_details(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    from scheduler.booking import interpreters
    from scheduler.tokens import token_hash

    booking, user = _setting(make, staff, interpreter_languages=["ar"])
    interpreters.record_request(booking, "ar")
    booking.manage_token_hash = token_hash("family-manage-token-" + "x" * 30)
    sign_in(user)
    client.post(
        f"/staff/bookings/{booking.id}/people/guest",
        data={"name": "Terhi Terveydenhoitaja", "email": "terhi@koulu.example", "language": "fi"},
    )
    page = client.get(f"/manage/family-manage-token-{'x' * 30}?lang=fi").get_data(as_text=True)
    assert "Vieras: Terhi Terveydenhoitaja" in page
    assert "terhi@koulu.example" not in page
    assert "Pyysit tulkkia (arabia)" in page
