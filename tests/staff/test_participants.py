"""The worker adds the other parent from the booking page, sees each participant, and
every showing of a participant's data is logged under that participant."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

import notifications
from scheduler.audit import client_ref
from scheduler.extensions import db
from scheduler.models import AccessLogEntry, BookingParticipant, Service
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local

OTHER = {"name": "Matti Virtanen", "email": "matti@example.org", "phone": "050 123 4567"}


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return match.group(1) if match else ""


def test_worker_adds_the_other_parent_who_gets_their_own_invitation(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(allows_second_client=True)
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(2, 10))
    sign_in(staff.user("worker", professional=pro))

    page = client.get(f"/staff/bookings/{booking.id}?lang=en").get_data(as_text=True)
    assert "Add the other parent" in page
    added = client.post(
        f"/staff/bookings/{booking.id}/participants",
        data={**OTHER, "language": "sv", "csrf_token": _csrf(page)},
    )
    assert added.status_code == 302

    (second,) = db.session.scalars(select(BookingParticipant)).all()
    assert (second.name, second.email, second.phone, second.language) == (
        "Matti Virtanen",
        "matti@example.org",
        "+358501234567",
        "sv",
    )
    assert second.added_by_staff_id is not None
    invitations = db.session.scalars(
        select(notifications.OutboxMessage).where(
            notifications.OutboxMessage.template == "invitation"
        )
    ).all()
    assert {m.recipient for m in invitations} == {"matti@example.org", "+358501234567"}

    page = client.get(f"/staff/bookings/{booking.id}?lang=en").get_data(as_text=True)
    assert "Matti Virtanen" in page and "mailto:matti@example.org" in page
    assert "Add the other parent" not in page
    reads = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.action == "participant.read")
    ).all()
    assert [(r.target, r.client_ref) for r in reads] == [
        (f"participant:{second.id}", client_ref("matti@example.org"))
    ]


def test_the_first_parents_contact_for_the_second_is_refused_in_three_languages(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(allows_second_client=True)
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(2, 10))
    sign_in(staff.user("worker", professional=pro))
    token = _csrf(client.get(f"/staff/bookings/{booking.id}").get_data(as_text=True))

    expected = {
        "fi": "Toisella vanhemmalla on oltava omat yhteystiedot",
        "sv": "Den andra föräldern behöver egna kontaktuppgifter",
        "en": "The other parent needs contact details of their own",
    }
    for lang, words in expected.items():
        refused = client.post(
            f"/staff/bookings/{booking.id}/participants?lang={lang}",
            data={**OTHER, "email": "MAIJA@example.org", "language": "fi", "csrf_token": token},
        )
        assert refused.status_code == 422
        assert words in refused.get_data(as_text=True)
        assert 'id="email-error"' in refused.get_data(as_text=True)
    assert db.session.scalars(select(BookingParticipant)).all() == []


def test_a_second_client_on_a_service_for_one_is_refused(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(2, 10))
    sign_in(staff.user("worker", professional=pro))
    page = client.get(f"/staff/bookings/{booking.id}?lang=en").get_data(as_text=True)
    assert "Add the other parent" not in page

    refused = client.post(
        f"/staff/bookings/{booking.id}/participants?lang=en",
        data={**OTHER, "language": "fi", "csrf_token": _csrf(page)},
    )
    assert refused.status_code == 422
    assert "This service is booked for one client only." in refused.get_data(as_text=True)
    assert db.session.scalars(select(BookingParticipant)).all() == []


def test_admin_sets_a_services_rules_for_a_second_client(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    from tests.staff.test_admin import service_form

    unit = make.unit()
    pro = make.professional(make.service(unit))
    sign_in(staff.user("org_admin", unit=unit))
    form = {**service_form(unit.id, pro.id), "allows_second_client": "1"}
    assert client.post("/staff/admin/services/new", data=form).status_code == 302
    service = db.session.scalar(select(Service).where(Service.slug == "perheneuvola"))
    assert service is not None
    assert service.allows_second_client and not service.client_leaving_cancels
    page = client.get(f"/staff/admin/services/{service.id}?lang=en").get_data(as_text=True)
    assert re.search(
        r'id="allows_second_client" name="allows_second_client" value="1" checked', page
    )
    assert 'name="client_leaving_cancels" value="1">' in page
