"""The agenda: day and week views, booking details, held / no-show and cancelling."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

import notifications
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import AccessLogEntry, Booking
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local

QUESTIONS = [
    {
        "id": "topic",
        "kind": "choice",
        "required": True,
        "label": {"fi": "Mistä asiasta?", "sv": "Vilket ärende?", "en": "Which matter?"},
        "options": [
            {"value": "custody", "label": {"fi": "Huolto", "sv": "Vårdnad", "en": "Custody"}}
        ],
    },
    {"id": "both", "kind": "yesno", "label": {"fi": "Molemmat?", "sv": "Båda?", "en": "Both?"}},
]


def test_day_agenda_shows_contact_language_answers_and_join_button(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(intake_questions=QUESTIONS)
    pro = make.professional(service)
    staff.booking(
        service,
        pro,
        at_local(1, 10),
        language="sv",
        intake_answers={"topic": "custody", "both": True},
    )
    sign_in(staff.user("worker", professional=pro))
    day = at_local(1, 10).astimezone(pro.organisation.zone).date()
    page = client.get(f"/staff/agenda?date={day.isoformat()}&lang=en").get_data(as_text=True)
    assert "Maija Meikäläinen" in page
    assert "mailto:maija@example.org" in page and "tel:+358401234567" in page
    assert "Swedish" in page
    assert "Which matter?" in page and "Custody" in page and "Both?" in page and "Yes" in page
    assert "Join the video meeting" in page
    assert "10:00" in page


def test_week_agenda_lists_the_weeks_bookings_in_finnish_formats(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    start = at_local(7, 9, 15)
    staff.booking(service, pro, start)
    sign_in(staff.user("worker", professional=pro))
    day = start.astimezone(pro.organisation.zone).date()
    page = client.get(f"/staff/agenda?date={day.isoformat()}&view=week&lang=fi")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"{day.day}.{day.month}.{day.year}" in text
    assert "klo 9.15" in text
    assert text.count('<h2 id="day-') == 7


def test_agenda_has_print_styles(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    pro = make.professional(make.service())
    sign_in(staff.user("worker", professional=pro))
    page = client.get("/staff/agenda").get_data(as_text=True)
    assert "staff/staff.css" in page
    with client.get("/static/staff/staff.css") as response:
        css = response.get_data(as_text=True)
    assert "@media print" in css and ".no-print" in css


def test_worker_marks_a_begun_meeting_held_or_missed(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    began = staff.booking(service, pro, now_utc() - timedelta(minutes=10))
    ahead = staff.booking(service, pro, at_local(2, 10))
    sign_in(staff.user("worker", professional=pro))
    assert (
        client.post(f"/staff/bookings/{began.id}/outcome", data={"outcome": "no_show"}).status_code
        == 302
    )
    assert (
        client.post(f"/staff/bookings/{ahead.id}/outcome", data={"outcome": "held"}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Booking, began.id).status == "no_show"
    assert db.session.get(Booking, ahead.id).status == "confirmed"  # not begun: unchanged
    client.post(f"/staff/bookings/{began.id}/outcome", data={"outcome": "held"})
    db.session.expire_all()
    assert db.session.get(Booking, began.id).status == "completed"


def test_marking_the_same_outcome_twice_logs_one_change(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    began = staff.booking(service, pro, now_utc() - timedelta(minutes=10))
    sign_in(staff.user("worker", professional=pro))
    for _ in range(2):
        client.post(f"/staff/bookings/{began.id}/outcome", data={"outcome": "held"})
    marks = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.action == "booking.mark_held")
    ).all()
    assert len(marks) == 1


def test_cancelling_with_a_reason_tells_the_family_through_the_outbox(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(3, 10), client_email="perhe@example.org")
    sign_in(staff.user("worker", professional=pro))
    refused = client.post(f"/staff/bookings/{booking.id}/cancel", data={"reason": ""})
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"
    response = client.post(
        f"/staff/bookings/{booking.id}/cancel", data={"reason": "Työntekijä sairastui"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    cancelled = db.session.get(Booking, booking.id)
    assert cancelled.status == "cancelled" and cancelled.cancelled_by == "staff"
    assert cancelled.cancel_reason == "Työntekijä sairastui"
    queued = db.session.scalars(
        select(notifications.OutboxMessage).where(
            notifications.OutboxMessage.recipient == "perhe@example.org"
        )
    ).all()
    assert queued, "the family's cancellation notice should be in the outbox"


def test_a_past_booking_cannot_be_cancelled(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = staff.booking(service, pro, now_utc() - timedelta(hours=2))
    sign_in(staff.user("worker", professional=pro))
    client.post(f"/staff/bookings/{booking.id}/cancel", data={"reason": "too late now"})
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"


def test_a_call_held_before_its_booked_time_can_be_marked_held(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    # Later today, before the local midnight however late the tests run.
    now = now_utc()
    zone = pro.organisation.zone
    midnight = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time(0), zone)
    soon = now + min(timedelta(minutes=30), (midnight - now) / 2)
    early = staff.booking(service, pro, soon)
    sign_in(staff.user("worker", professional=pro))
    page = client.get(f"/staff/bookings/{early.id}?lang=en").get_data(as_text=True)
    assert 'value="held"' in page and 'value="no_show"' not in page
    assert (
        client.post(f"/staff/bookings/{early.id}/outcome", data={"outcome": "no_show"}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Booking, early.id).status == "confirmed"  # not begun: not missed
    client.post(f"/staff/bookings/{early.id}/outcome", data={"outcome": "held"})
    db.session.expire_all()
    assert db.session.get(Booking, early.id).status == "completed"


def test_agenda_shows_the_meetings_language_the_family_chose(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    """The meeting's language is shown even when it is the messages' language too, and a
    Sámi language by its name."""
    service = make.service()
    pro = make.professional(service)
    staff.booking(service, pro, at_local(1, 10), language="fi", meeting_language="fi")
    staff.booking(service, pro, at_local(1, 12), language="fi", meeting_language="smn")
    sign_in(staff.user("worker", professional=pro))
    day = at_local(1, 10).astimezone(pro.organisation.zone).date()
    page = client.get(f"/staff/agenda?date={day.isoformat()}&lang=en").get_data(as_text=True)
    assert page.count("Language of the meeting") == 2
    assert "Inari Sámi" in page
