"""From booking operations to delivered messages: confirmation, reminders, change,
cancellation and staff notices, queued in the booking's own transaction."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from icalendar import Calendar

import notifications
from scheduler import booking as ops
from scheduler.extensions import db
from scheduler.kernel import HELSINKI
from tests.factories import Factories
from tests.notifications.booking_helpers import (
    book,
    day_ahead,
    dispatch,
    dispatch_immediate,
    outbox,
    reminder_time,
)
from tests.notifications.conftest import use_sms, use_smtp
from tests.notifications.servers import SmsGateway, SmtpServer, body


def calendar_part(message: EmailMessage) -> Calendar:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_content())
    raise AssertionError("no text/calendar part")


def by_recipient(server: SmtpServer, recipient: str) -> list[EmailMessage]:
    return [m for m in server.handler.messages() if m["To"] == recipient]


def test_confirming_queues_confirmation_reminders_and_staff_notice(
    app: Flask, make: Factories
) -> None:
    booking, _ = book(make)
    db.session.commit()

    queued = {(m.channel, m.template, m.recipient) for m in outbox()}
    assert queued == {
        ("email", "confirmation", "maija@example.test"),
        ("sms", "confirmation", "+358401234567"),
        ("email", "reminder", "maija@example.test"),
        ("sms", "reminder", "+358401234567"),
        ("email", "staff_notice", "worker@kunta.test"),
    }
    for reminder in outbox(template="reminder"):
        assert reminder.due_at == booking.start_at - timedelta(hours=24)
        assert reminder.group_key == f"booking:{booking.uid}"


def test_a_rolled_back_booking_queues_nothing(app: Flask, make: Factories) -> None:
    service = make.service()
    make.professional(service, email="worker@kunta.test")
    db.session.commit()

    booking, _ = book(make, service=service)
    later = reminder_time(booking)
    assert len(outbox()) == 5  # in the booking's transaction …
    db.session.rollback()

    assert outbox() == []  # … and gone with it
    assert dispatch(now=later).sent == 0


def test_manage_link_is_stored_only_sealed(app: Flask, make: Factories) -> None:
    _, token = book(make)
    db.session.commit()

    rows = outbox()
    assert rows, "the booking's messages are queued"
    for row in rows:
        assert token not in str(row.context)
        assert row.sealed is None or token not in row.sealed


def test_confirmation_email_carries_text_html_and_an_imip_request(
    app: Flask, make: Factories, smtp_server: SmtpServer
) -> None:
    use_smtp(app, smtp_server)
    booking, token = book(make)
    db.session.commit()

    report = dispatch_immediate()

    assert report.sent == 3  # confirmation e-mail and SMS (log), staff notice
    (confirmation,) = by_recipient(smtp_server, "maija@example.test")
    assert confirmation["Subject"] == "Ajanvarauksesi on vahvistettu"
    text = body(confirmation, "plain")
    html = body(confirmation, "html")
    local = booking.start_at.astimezone(HELSINKI)
    finnish_date = f"{local.day}.{local.month}.{local.year}"
    assert f"{finnish_date} klo 10.00–10.45" in text
    assert f"/manage/{token}" in text and f'href="http://127.0.0.1:5000/manage/{token}"' in html
    assert '<html lang="fi">' in html
    invite = calendar_part(confirmation)
    assert invite["METHOD"] == "REQUEST"
    (event,) = invite.walk("VEVENT")
    assert str(event["UID"]) == booking.uid
    assert int(str(event["SEQUENCE"])) == 0
    assert event.decoded("DTSTART") == booking.start_at


def test_cancelling_drops_pending_reminders_and_sends_imip_cancel(
    app: Flask, make: Factories, smtp_server: SmtpServer
) -> None:
    use_smtp(app, smtp_server)
    booking, _ = book(make)
    db.session.commit()
    dispatch_immediate()

    ops.cancel(booking, "client")
    db.session.commit()

    assert {m.status for m in outbox(template="reminder")} == {"cancelled"}
    dispatch(now=reminder_time(booking))
    client_mail = by_recipient(smtp_server, "maija@example.test")
    assert [m["Subject"] for m in client_mail] == [
        "Ajanvarauksesi on vahvistettu",
        "Aikasi on peruttu",
    ]  # no reminder after the cancellation
    request, cancel = (calendar_part(m) for m in client_mail)
    assert cancel["METHOD"] == "CANCEL"
    (requested,), (cancelled,) = request.walk("VEVENT"), cancel.walk("VEVENT")
    assert cancelled["UID"] == requested["UID"] == booking.uid
    assert int(str(cancelled["SEQUENCE"])) > int(str(requested["SEQUENCE"]))
    assert cancelled["STATUS"] == "CANCELLED"
    staff = [m["Subject"] for m in by_recipient(smtp_server, "worker@kunta.test")]
    assert staff[0].startswith("Uusi varaus") and staff[1].startswith("Varaus peruttu")


def test_rescheduling_retimes_pending_reminders(
    app: Flask, make: Factories, smtp_server: SmtpServer
) -> None:
    use_smtp(app, smtp_server)
    booking, token = book(make)
    db.session.commit()
    dispatch_immediate()
    old_ids = {m.id for m in outbox(template="reminder")}
    assert old_ids, "the booking has reminders to move"

    new_start = day_ahead(5)
    ops.reschedule(booking, new_start)
    db.session.commit()

    reminders = outbox(template="reminder", status="pending")
    assert {m.id for m in reminders} == old_ids  # the same rows, moved
    local = new_start.astimezone(HELSINKI)
    for reminder in reminders:
        assert reminder.due_at == new_start - timedelta(hours=24)
        assert reminder.context["date"] == f"{local.day}.{local.month}.{local.year}"
    dispatch_immediate()
    change = by_recipient(smtp_server, "maija@example.test")[-1]
    assert change["Subject"] == "Aikasi on siirretty"
    text = body(change, "plain")
    assert f"/manage/{token}" in text  # the link comes from the sealed copy
    (event,) = calendar_part(change).walk("VEVENT")
    assert int(str(event["SEQUENCE"])) == 1 and event.decoded("DTSTART") == new_start


def test_reschedule_after_reminders_went_out_schedules_new_ones(
    app: Flask, make: Factories
) -> None:
    booking, _ = book(make)
    db.session.commit()
    dispatch(now=reminder_time(booking))  # confirmations and reminders

    ops.reschedule(booking, day_ahead(6))
    db.session.commit()

    pending = outbox(template="reminder", status="pending")
    assert {(m.channel, m.due_at) for m in pending} == {
        ("email", booking.start_at - timedelta(hours=24)),
        ("sms", booking.start_at - timedelta(hours=24)),
    }


def test_no_reminder_for_a_booking_made_within_the_reminder_time(
    app: Flask, make: Factories
) -> None:
    book(make, reminder_rules=[{"channel": "email", "before_min": 10 * 24 * 60}])
    db.session.commit()

    assert outbox(template="reminder") == []


@pytest.mark.parametrize(
    ("language", "time_text", "subject"),
    [
        ("fi", "klo 10.00", "Ajanvarauksesi on vahvistettu"),
        ("sv", "kl. 10.00", "Din tidsbokning är bekräftad"),
        ("en", "10:00", "Your appointment is confirmed"),
    ],
)
def test_messages_are_in_the_familys_language_with_finnish_formats(
    app: Flask,
    make: Factories,
    smtp_server: SmtpServer,
    sms_gateway: SmsGateway,
    language: str,
    time_text: str,
    subject: str,
) -> None:
    use_smtp(app, smtp_server)
    use_sms(app, sms_gateway)
    booking, _ = book(make, language=language)
    db.session.commit()

    dispatch_immediate()

    local = booking.start_at.astimezone(HELSINKI)
    date_text = f"{local.day}.{local.month}.{local.year}"
    (mail,) = by_recipient(smtp_server, "maija@example.test")
    assert mail["Subject"] == subject
    assert f"{date_text} {time_text}" in body(mail, "plain")
    (sms,) = sms_gateway.requests
    assert f"{date_text} {time_text}" in sms.body["text"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_sms_fits_in_160_characters(
    app: Flask, make: Factories, sms_gateway: SmsGateway, language: str
) -> None:
    # A realistic public address: the manage link alone takes 88 characters.
    app.config["PUBLIC_URL"] = "https://ajanvaraus.hyvinvointialue.fi"
    use_sms(app, sms_gateway)
    booking, _ = book(
        make,
        language=language,
        start=day_ahead(20),
        name={
            "fi": "Lastenvalvojan palvelut",
            "sv": "Barnatillsyningsmannens tjänster",
            "en": "Child custody officer services",
        },
    )
    db.session.commit()
    dispatch(now=reminder_time(booking))
    ops.reschedule(booking, day_ahead(25))
    db.session.commit()
    dispatch_immediate()
    ops.cancel(booking, "client")
    db.session.commit()
    dispatch_immediate()

    texts = [r.body["text"] for r in sms_gateway.requests]
    assert len(texts) == 4  # confirmation, reminder, change, cancellation
    for text in texts:
        assert len(text) <= 160, text
    assert "/manage/" in texts[0]  # the long service name gave way to the link


@pytest.mark.parametrize("allowed", [False, True])
def test_sms_names_a_sensitive_service_only_when_the_organisation_allows(
    app: Flask, make: Factories, sms_gateway: SmsGateway, allowed: bool
) -> None:
    use_sms(app, sms_gateway)
    org = make.organisation(settings={"sms_may_name_sensitive_services": allowed})
    service = make.service(
        make.unit(org),
        sensitive=True,
        name={"fi": "Lastensuojelu", "sv": "Barnskydd", "en": "Child protection"},
    )
    make.professional(service, name="Liisa Sosiaalityöntekijä")
    booking, _ = book(make, service=service)
    db.session.commit()
    dispatch(now=reminder_time(booking))
    ops.cancel(booking, "staff")
    db.session.commit()
    dispatch_immediate()

    texts = [r.body["text"] for r in sms_gateway.requests]
    assert len(texts) == 3
    for text in texts:
        assert ("Lastensuojelu" in text) is allowed
        assert "Maija" not in text and "Liisa" not in text
        assert re.search(r"\d{1,2}\.\d{1,2}\.\d{4} klo \d{1,2}\.\d{2}", text)


def test_staff_notice_carries_no_client_details(
    app: Flask, make: Factories, smtp_server: SmtpServer
) -> None:
    use_smtp(app, smtp_server)
    book(make)
    db.session.commit()
    dispatch_immediate()

    (notice,) = by_recipient(smtp_server, "worker@kunta.test")
    content = notice.as_string()
    for detail in ("Maija", "maija@example.test", "358401234567", "/manage/"):
        assert detail not in content


def test_staff_notices_can_be_turned_off_per_service(app: Flask, make: Factories) -> None:
    book(make, staff_notices=False)
    db.session.commit()

    assert outbox(template="staff_notice") == []


def test_no_sms_to_a_landline(app: Flask, make: Factories) -> None:
    book(make, phone="09 123 4567")
    db.session.commit()

    assert {m.channel for m in outbox()} == {"email"}


def test_custom_reminder_rules_of_a_service(app: Flask, make: Factories) -> None:
    booking, _ = book(make, reminder_rules=[{"channel": "email", "before_min": 120}])
    db.session.commit()

    (reminder,) = outbox(template="reminder")
    assert reminder.channel == "email"
    assert reminder.due_at == booking.start_at - timedelta(hours=2)


def test_messages_of_a_service_not_cancelled_online_offer_no_cancel(
    app: Flask, make: Factories
) -> None:
    """Where families do not cancel online, the confirmation and the reminder say the
    booking page changes the time, and never offer to cancel there."""
    book(make, family_cancels=False)
    db.session.commit()
    texts = {
        (m.channel, m.template): notifications.preview(m).text
        for m in outbox()
        if m.template in ("confirmation", "reminder")
    }
    assert set(texts) == {
        ("email", "confirmation"),
        ("sms", "confirmation"),
        ("email", "reminder"),
        ("sms", "reminder"),
    }
    for text in texts.values():
        assert "peru" not in text.lower(), text
    assert "Siirrä:" in texts[("sms", "confirmation")]
    assert "voit myös siirtää ajan" in texts[("email", "confirmation")]
