"""What a sick day's moves tell the worker the meetings are taken from: one notice listing
every meeting moved away (its time as they had it, its service, who took it over), in
their language, with no client details; the families and the colleagues taking the
meetings over are still told per meeting. (A single move's one "released" notice:
``test_move_and_reassign``.)"""

from __future__ import annotations

import json

from flask.testing import FlaskClient
from sqlalchemy import select

from notifications import OutboxMessage
from notifications.rendering import render_email
from scheduler.booking import reassign
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date, now_utc
from scheduler.models import Booking
from scheduler.web.i18n import format_date
from tests.factories import Factories
from tests.staff.api_tokens import issue_token
from tests.staff.conftest import Staff, at_local
from tests.staff.test_move_and_reassign import booked, changed_notices, day_of


def staff_notices(event: str) -> list[OutboxMessage]:
    return [
        m
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "staff_notice")
        )
        if m.context["event"] == event
    ]


def test_a_sick_day_tells_the_worker_once_listing_every_meeting_moved_away(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    counselling = make.service(name={"fi": "Neuvonta", "sv": "Rådgivning", "en": "Counselling"})
    support = make.service(counselling.unit, name={"fi": "Tuki", "sv": "Stöd", "en": "Support"})
    sick = make.professional(counselling, email="sjuk@example.org", languages=["sv"])
    sick.services.append(support)
    anna = make.professional(
        counselling, name="Anna Aalto", email="anna@example.org", languages=["sv", "fi"]
    )
    bertil = make.professional(
        support, name="Bertil Berg", email="bertil@example.org", languages=["sv"]
    )
    db.session.flush()
    client_details = {"name": "Kaisa Klientti", "phone": "+358401112233", "language": "sv"}
    starts = [at_local(3, 9), at_local(3, 11), at_local(3, 13)]
    ours = [
        booked(make, counselling, starts[0], sick, **client_details),
        booked(make, counselling, starts[1], sick, **client_details),
        booked(make, support, starts[2], sick, **client_details),
    ]
    sign_in(staff.user("unit_admin", unit=counselling.unit))
    day = day_of(starts[0])
    done = client.post(
        "/staff/reassign",
        data={"professional": str(sick.id), "first": day, "last": day, "confirmed": "1"},
    )
    assert done.status_code == 200
    db.session.expire_all()
    moved = [db.session.get(Booking, b.id) for b in ours]
    assert [b.professional_id for b in moved if b] == [anna.id, anna.id, bertil.id]

    (released,) = staff_notices("released")  # one, not one per meeting
    assert (released.recipient, released.language) == ("sjuk@example.org", "sv")
    mail = render_email("staff_notice", released.language, released.context)
    text = mail.text
    assert "dina möten har flyttats till andra medarbetare" in text
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == 3
    date = format_date(starts[0], "sv", HELSINKI)
    for line, (hour, service, taker) in zip(
        lines,
        [
            ("9.00", "Rådgivning", "Anna Aalto"),
            ("11.00", "Rådgivning", "Anna Aalto"),
            ("13.00", "Stöd", "Bertil Berg"),
        ],
        strict=True,
    ):
        assert f"{date} kl. {hour}, {service}, sköts nu av {taker}" in line
    assert mail.subject == "Mötena är inte längre dina"
    for hour in ("9.00", "11.00", "13.00"):
        assert f"{date} kl. {hour}" in mail.html
    # No client details: not in what is stored, nor in what is sent.
    stored = json.dumps(released.context, ensure_ascii=False)
    for detail in ("Kaisa", "Klientti", "maija@example.org", "401112233"):
        assert detail not in stored and detail not in text and detail not in mail.html

    # The colleagues, and each family, are still told per meeting.
    moved_to = sorted(m.recipient for m in staff_notices("moved"))
    assert moved_to == ["anna@example.org", "anna@example.org", "bertil@example.org"]
    assert [sorted(m.channel for m in changed_notices(b)) for b in moved if b] == [
        ["email", "sms"]
    ] * 3


def test_the_summary_is_in_finnish_for_a_finnish_speaking_worker(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(name={"fi": "Neuvonta", "sv": "Rådgivning", "en": "Counselling"})
    sick = make.professional(service, email="sairas@example.org", languages=["fi"])
    make.professional(service, name="Anna Aalto", email="anna@example.org")
    starts = [at_local(3, 9, 15), at_local(3, 14)]
    for start in starts:
        booked(make, service, start, sick, language="fi")
    sign_in(staff.user("unit_admin", unit=service.unit))
    day = day_of(starts[0])
    client.post(
        "/staff/reassign",
        data={"professional": str(sick.id), "first": day, "last": day, "confirmed": "1"},
    )
    (released,) = staff_notices("released")
    assert released.language == "fi"
    text = render_email("staff_notice", "fi", released.context).text
    date = format_date(starts[0], "fi", HELSINKI)
    assert "tapaamisiasi on siirretty muille työntekijöille" in text
    assert f"{date} klo 9.15, Neuvonta, hoitaa nyt Anna Aalto" in text
    assert f"{date} klo 14.00, Neuvonta, hoitaa nyt Anna Aalto" in text
    # The link is to the agenda, where these meetings no longer are.
    assert "Työlistasi: " in text
    assert "Varauksen tiedot näet" not in text


def test_the_staff_api_reassign_tells_the_worker_once_too(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service()
    away = make.professional(service, email="pois@example.org")
    make.professional(service, name="Anna Aalto", email="anna@example.org")
    starts = [at_local(3, 9), at_local(3, 10), at_local(3, 12)]
    for start in starts:
        staff.booking(service, away, start)
    headers = issue_token(staff, "unit_admin", unit=service.unit)
    done = client.post(
        "/api/v1/staff/reassign",
        json={"professional_id": away.id, "first": day_of(starts[0])},
        headers=headers,
    )
    assert done.status_code == 200, done.get_json()
    assert len(done.get_json()["moved"]) == 3
    (released,) = staff_notices("released")
    assert released.recipient == "pois@example.org"
    text = render_email("staff_notice", released.language, released.context).text
    date = format_date(starts[0], "fi", HELSINKI)
    for hour in ("9.00", "10.00", "12.00"):
        assert f"{date} klo {hour}, " in text
    assert len(staff_notices("moved")) == 3


def test_a_move_refused_meanwhile_is_not_listed(make: Factories, staff: Staff) -> None:
    service = make.service()
    away = make.professional(service, email="pois@example.org")
    colleague = make.professional(service, name="Anna Aalto", email="anna@example.org")
    kept_start, moved_start = at_local(3, 11), at_local(3, 9)
    for start in (moved_start, kept_start):
        staff.booking(service, away, start)
    now = now_utc()
    day = local_date(moved_start, HELSINKI)
    proposals = reassign.propose(reassign.bookings_of(away, day, day, now), away.id, now)
    assert [p.professional for p in proposals] == [colleague, colleague]
    staff.booking(service, colleague, kept_start)  # a family took the colleague's time meanwhile
    outcome = reassign.move_all(proposals)
    assert [p.start for p in outcome.moved] == [moved_start]
    (released,) = staff_notices("released")
    text = render_email("staff_notice", released.language, released.context).text
    date = format_date(moved_start, "fi", HELSINKI)
    assert f"{date} klo 9.00, " in text and "klo 11.00" not in text
