"""Whether each person takes part: every professional of a booking is told when a parent
(or anyone invited) says they will not take part, or will after all, in the worker's own
language and without the person's details; someone who declined or left may come back
while the meeting is ahead, and gets their reminders again."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from notifications.rendering import render_email
from scheduler.booking import attendance, guests, participants
from scheduler.extensions import db
from scheduler.kernel import Problem, now_utc
from scheduler.models import AccessLogEntry, Attendance, BookingStatus, StaffUser
from tests.factories import Factories
from tests.notifications.booking_helpers import outbox
from tests.notifications.test_participants import FIRST, SECOND, two_parents


def _notices(event: str) -> list[tuple[str, str, str | None]]:
    return [
        (m.recipient, m.language, m.context.get("who"))
        for m in outbox(template="staff_notice")
        if m.context["event"] == event
    ]


def _has_no_client_details(text: str) -> None:
    for detail in (*FIRST, *SECOND, "401234567", "501234567"):
        assert detail not in text


def test_every_professional_is_told_in_their_language_when_a_parent_declines(
    app: Flask, make: Factories
) -> None:
    booking, _token, second_token = two_parents(make)
    booking.professional.languages = ["sv", "fi"]
    colleague = make.professional(booking.service, email="perhe@kunta.test", languages=["en"])
    worker = StaffUser(
        organisation_id=booking.organisation_id,
        unit_id=booking.professional.unit_id,
        role="worker",
        professional_id=booking.professional_id,
        email="liisa@kunta.test",
        name="Liisa",
        active=True,
        created_at=now_utc(),
    )
    db.session.add(worker)
    db.session.flush()
    guests.add_colleague(booking, worker, colleague.id)  # takes the colleague's time too
    db.session.commit()

    attendance.answer(participants.participant_by_token(second_token), attending=False)
    db.session.commit()

    assert sorted(_notices("declined")) == [
        ("perhe@kunta.test", "en", "client"),
        ("worker@kunta.test", "sv", "client"),
    ]
    (to_worker,) = [m for m in outbox(template="staff_notice") if m.language == "sv"]
    email = render_email("staff_notice", "sv", to_worker.context)
    assert email.subject.startswith("En deltagare deltar inte")
    assert "En klient (förälder)" in email.text and "Mötet hålls ändå" in email.html
    _has_no_client_details(email.subject + email.text + email.html + str(to_worker.context))


def test_a_parent_who_declined_comes_back_gets_reminders_and_the_worker_is_told(
    app: Flask, make: Factories
) -> None:
    booking, _token, second_token = two_parents(make)
    db.session.commit()
    second = participants.participant_by_token(second_token)
    group = f"booking:{booking.uid}:p{second.id}"
    attendance.answer(second, attending=False)
    db.session.commit()
    assert outbox(group_key=group, template="reminder", status="pending") == []

    attendance.answer(second, attending=True)
    db.session.commit()

    assert second.attendance == Attendance.CONFIRMED
    assert outbox(group_key=group, template="reminder", status="pending") != []
    assert _notices("rejoined") == [("worker@kunta.test", "fi", "client")]
    email = render_email("staff_notice", "fi", outbox(template="staff_notice")[-1].context)
    assert "osallistuu sittenkin" in email.text
    # Saying the same again changes nothing and tells nobody twice.
    attendance.answer(second, attending=True)
    assert len(_notices("rejoined")) == 1


def test_the_first_parent_who_left_comes_back(app: Flask, make: Factories) -> None:
    booking, _token, _second = two_parents(make)
    db.session.commit()
    assert attendance.client_leaves(booking) is False
    db.session.commit()
    group = f"booking:{booking.uid}"
    assert outbox(group_key=group, template="reminder", status="pending") == []
    assert _notices("declined") == [("worker@kunta.test", "fi", "client")]

    attendance.client_rejoins(booking)
    db.session.commit()

    assert booking.client_left_at is None and booking.status == BookingStatus.CONFIRMED
    reminders = outbox(group_key=group, template="reminder", status="pending")
    assert {m.recipient for m in reminders} == {FIRST[0], FIRST[1]}
    assert _notices("rejoined") == [("worker@kunta.test", "fi", "client")]
    rows = db.session.scalars(
        select(AccessLogEntry.target).where(AccessLogEntry.action == "booking.client_rejoined")
    ).all()
    assert rows == [f"booking:{booking.id}"]


def test_nobody_comes_back_to_a_cancelled_meeting(app: Flask, make: Factories) -> None:
    booking, _token, second_token = two_parents(make)
    db.session.commit()
    second = participants.participant_by_token(second_token)
    attendance.answer(second, attending=False)
    attendance.client_leaves(booking)  # no client left: the meeting is cancelled
    db.session.commit()
    assert booking.status == BookingStatus.CANCELLED
    with pytest.raises(Problem) as refused:
        attendance.answer(second, attending=True)
    assert refused.value.status == 409
    with pytest.raises(Problem) as refused:
        attendance.client_rejoins(booking)
    assert refused.value.status == 409
    assert _notices("rejoined") == []


def test_a_declining_parent_who_cancels_the_meeting_gives_only_the_cancellation_notice(
    app: Flask, make: Factories
) -> None:
    booking, _token, second_token = two_parents(make, client_leaving_cancels=True)
    db.session.commit()
    attendance.answer(participants.participant_by_token(second_token), attending=False)
    db.session.commit()
    assert booking.status == BookingStatus.CANCELLED
    assert _notices("declined") == []
    assert [m.context["event"] for m in outbox(template="staff_notice")] == ["booked", "cancelled"]


def test_a_service_without_staff_notices_tells_nobody(app: Flask, make: Factories) -> None:
    booking, _token, second_token = two_parents(make, staff_notices=False)
    db.session.commit()
    attendance.answer(participants.participant_by_token(second_token), attending=False)
    db.session.commit()
    assert outbox(template="staff_notice") == []
    assert booking.status == BookingStatus.CONFIRMED
