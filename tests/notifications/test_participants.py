"""Participants beyond the first client: the second parent given at booking time or added
by a worker, each with their own messages, link and language, and never the other's
contact details."""

from __future__ import annotations

import pytest
from flask import Flask
from icalendar import Calendar
from sqlalchemy import select

from scheduler import booking as ops
from scheduler.booking import attendance, participants
from scheduler.extensions import db
from scheduler.kernel import Problem
from scheduler.models import AccessLogEntry, Attendance, BookingParticipant, BookingStatus
from tests.factories import Factories
from tests.notifications.booking_helpers import book, day_ahead, dispatch_immediate, outbox
from tests.notifications.conftest import use_smtp
from tests.notifications.servers import SmtpServer, body

FIRST = ("maija@example.test", "+358401234567", "Maija Meikäläinen")
SECOND = ("matti@example.test", "+358501234567", "Matti Virtanen")


def two_parents(make: Factories, **service_fields: object) -> tuple[ops.Booking, str, str]:
    """A video booking of a service for both parents; the first gives the second's details."""
    service = make.service(allows_second_client=True, **service_fields)
    make.professional(service, email="worker@kunta.test", name="Liisa Sosiaalityöntekijä")
    _held, hold_token = ops.hold(service, day_ahead(3))
    client = ops.ClientDetails(
        name=FIRST[2],
        email=FIRST[0],
        phone="040 123 4567",
        language="fi",
        intake_answers={},
        second_client=ops.SecondClient(
            name=SECOND[2], email=SECOND[0], phone="050 123 4567", language="sv"
        ),
    )
    booking, token = ops.confirm(hold_token, client)
    (second,) = participants.participants_of(booking)
    second_token = _token_of(second)
    return booking, token, second_token


def _token_of(participant: BookingParticipant) -> str:
    """The participant's link token, as their invitation carries it (sealed in the outbox)."""
    import notifications

    sealed = notifications.sealed_secrets(f"booking:{participant.booking.uid}:p{participant.id}")
    assert sealed is not None
    return sealed["manage_url"].rsplit("/", 1)[1]


def test_the_second_parent_gets_their_own_invitation_and_reminders_in_their_language(
    app: Flask, make: Factories
) -> None:
    booking, _token, second_token = two_parents(make)
    db.session.commit()

    (second,) = participants.participants_of(booking)
    assert second.language == "sv" and second.attendance == Attendance.INVITED
    rows = outbox(group_key=f"booking:{booking.uid}:p{second.id}")
    assert {(m.channel, m.template, m.recipient, m.language) for m in rows} == {
        ("email", "invitation", SECOND[0], "sv"),
        ("sms", "invitation", SECOND[1], "sv"),
        ("email", "reminder", SECOND[0], "sv"),
        ("sms", "reminder", SECOND[1], "sv"),
    }
    assert participants.participant_by_token(second_token).id == second.id
    assert second.manage_token_hash != booking.manage_token_hash


def test_neither_parent_sees_the_others_contact_details_in_any_message(
    app: Flask, make: Factories, smtp_server: SmtpServer
) -> None:
    use_smtp(app, smtp_server)
    _booking, _token, _second_token = two_parents(make)
    db.session.commit()

    dispatch_immediate()

    for own, other in ((FIRST, SECOND), (SECOND, FIRST)):
        (message,) = [m for m in smtp_server.handler.messages() if m["To"] == own[0]]
        texts = [body(message, "plain"), body(message, "html"), str(message["Subject"])]
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                calendar = Calendar.from_ical(part.get_content())
                texts.append(calendar.to_ical().decode())
                (event,) = calendar.walk("VEVENT")
                attendees = event.get("ATTENDEE")
                attendees = attendees if isinstance(attendees, list) else [attendees]
                assert [str(a) for a in attendees] == [f"mailto:{own[0]}"]
        whole = "\n".join(texts)
        assert own[0] in whole
        for detail in other[:2]:
            assert detail not in whole
        assert "501234567" not in whole or own is SECOND


def test_a_second_parent_with_the_first_parents_email_is_refused_and_nothing_saved(
    app: Flask, make: Factories
) -> None:
    service = make.service(allows_second_client=True)
    make.professional(service)
    _held, hold_token = ops.hold(service, day_ahead(3))
    client = ops.ClientDetails(
        name=FIRST[2],
        email=FIRST[0],
        phone=None,
        language="fi",
        intake_answers={},
        second_client=ops.SecondClient(
            name=SECOND[2], email=FIRST[0].upper(), phone=None, language="fi"
        ),
    )
    with pytest.raises(Problem) as refused:
        ops.confirm(hold_token, client)
    assert refused.value.status == 422 and refused.value.code == "same_contact_as_first"
    assert db.session.scalars(select(BookingParticipant)).all() == []
    assert outbox() == []


def test_a_second_parent_with_the_first_parents_phone_is_refused(
    app: Flask, make: Factories
) -> None:
    booking, _ = book(make, allows_second_client=True)
    with pytest.raises(Problem) as refused:
        participants.add_participant(
            booking, "client", name="Matti", email=None, phone="+358 40 1234567", language="fi"
        )
    assert refused.value.code == "same_contact_as_first"
    assert refused.value.fields == {"second_phone": "same"}


def test_a_second_client_on_a_service_for_one_is_refused(app: Flask, make: Factories) -> None:
    booking, _ = book(make)
    with pytest.raises(Problem) as refused:
        participants.add_participant(
            booking, "client", name="Matti", email=SECOND[0], phone=None, language="fi"
        )
    assert refused.value.status == 422 and refused.value.code == "second_client_not_allowed"


def test_one_parent_declining_leaves_the_meeting_to_the_other(app: Flask, make: Factories) -> None:
    booking, _token, second_token = two_parents(make)
    db.session.commit()

    second = participants.participant_by_token(second_token)
    attendance.answer(second, attending=False)
    db.session.commit()

    assert booking.status == BookingStatus.CONFIRMED
    assert second.attendance == Attendance.DECLINED
    pending = outbox(group_key=f"booking:{booking.uid}:p{second.id}", status="pending")
    assert pending == []  # no reminders to someone who will not come
    assert outbox(group_key=f"booking:{booking.uid}", template="reminder")[0].status == "pending"


def test_a_service_may_say_that_one_parent_leaving_cancels(app: Flask, make: Factories) -> None:
    booking, _token, second_token = two_parents(make, client_leaving_cancels=True)
    db.session.commit()

    attendance.answer(participants.participant_by_token(second_token), attending=False)
    db.session.commit()

    assert booking.status == BookingStatus.CANCELLED
    assert {m.recipient for m in outbox(template="cancelled")} >= {FIRST[0], FIRST[1]}


def test_cancelling_and_moving_tell_every_participant(app: Flask, make: Factories) -> None:
    booking, _token, _second = two_parents(make)
    db.session.commit()

    ops.reschedule(booking, day_ahead(4))
    db.session.commit()
    assert {m.recipient for m in outbox(template="changed")} == {*FIRST[:2], *SECOND[:2]}

    ops.cancel(booking, by="client")
    db.session.commit()
    assert {m.recipient for m in outbox(template="cancelled")} == {*FIRST[:2], *SECOND[:2]}
    reminders = outbox(template="reminder")
    assert reminders and all(m.status == "cancelled" for m in reminders)


def test_access_log_rows_name_whose_data_was_added(app: Flask, make: Factories) -> None:
    from scheduler.audit import client_ref

    booking, _token, _second = two_parents(make)
    db.session.commit()

    (second,) = participants.participants_of(booking)
    rows = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.action == "participant.add")
    ).all()
    assert [(r.target, r.client_ref) for r in rows] == [
        (f"participant:{second.id}", client_ref(SECOND[0]))
    ]


def test_a_removed_participants_link_stops_working(app: Flask, make: Factories) -> None:
    booking, _token, second_token = two_parents(make)
    db.session.commit()

    participants.remove_participant(participants.participant_by_token(second_token))
    db.session.commit()

    with pytest.raises(Problem) as gone:
        participants.participant_by_token(second_token)
    assert gone.value.status == 404
    assert participants.participants_of(booking) == []
