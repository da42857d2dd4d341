"""Times on screen around the changes of the clocks: the hour that comes twice on the last
Sunday of October says which of the two it is, and a meeting across a change shows its true
length. Instants are written in UTC; Helsinki is UTC+3 in summer and UTC+2 in winter."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from notifications.models import OutboxMessage
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import StaffRole, StaffUser
from scheduler.staff.blueprint import SESSION_KEY
from scheduler.web.i18n import format_time, format_time_range
from tests.booking_api import book
from tests.factories import Factories

# 31.10.2027: at 04.00 summer time the clocks go back to 03.00.
FIRST_THREE = datetime(2027, 10, 31, 0, 0, tzinfo=UTC)  # 3.00 summer time
SECOND_THREE = datetime(2027, 10, 31, 1, 0, tzinfo=UTC)  # 3.00 standard time
# 28.3.2027: at 03.00 standard time the clocks go forward to 04.00.
BEFORE_SPRING = datetime(2027, 3, 28, 0, 30, tzinfo=UTC)  # 2.30 standard time
AFTER_SPRING = datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 4.30 summer time


@pytest.mark.parametrize(
    ("lang", "first", "second"),
    [
        ("fi", "klo 3.00 (kesäaika)", "klo 3.00 (talviaika)"),
        ("sv", "kl. 3.00 (sommartid)", "kl. 3.00 (normaltid)"),
        ("en", "3:00 (summer time)", "3:00 (standard time)"),
    ],
)
def test_the_repeated_hour_says_which_of_the_two_it_is(lang: str, first: str, second: str) -> None:
    assert format_time(FIRST_THREE, lang) == first
    assert format_time(SECOND_THREE, lang) == second


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fi", "klo 3.00 (kesäaika)–3.00 (talviaika), 60 min"),
        ("sv", "kl. 3.00 (sommartid)–3.00 (normaltid), 60 min"),
        ("en", "3:00 (summer time)–3:00 (standard time), 60 min"),
    ],
)
def test_an_hour_across_the_autumn_change_is_not_shown_as_nothing(lang: str, expected: str) -> None:
    assert format_time_range(FIRST_THREE, SECOND_THREE, lang) == expected


def test_an_hour_across_the_spring_change_shows_its_true_length() -> None:
    assert format_time_range(BEFORE_SPRING, AFTER_SPRING, "fi") == "klo 2.30–4.30, 60 min"
    assert format_time_range(BEFORE_SPRING, AFTER_SPRING, "en") == "2:30–4:30, 60 min"


def test_ordinary_times_are_shown_as_before() -> None:
    start = datetime(2027, 6, 1, 6, 15, tzinfo=UTC)
    end = datetime(2027, 6, 1, 7, 0, tzinfo=UTC)
    assert format_time(start, "fi") == "klo 9.15"
    assert format_time_range(start, end, "fi") == "klo 9.15–10.00"
    assert format_time_range(start, end, "sv") == "kl. 9.15–10.00"
    assert format_time_range(start, end, "en") == "9:15–10:00"
    # 2.00–2.59 and 4.00 come once on the night of the change: no marks.
    assert format_time(datetime(2027, 10, 30, 23, 59, tzinfo=UTC), "fi") == "klo 2.59"
    assert format_time(datetime(2027, 10, 31, 2, 0, tzinfo=UTC), "fi") == "klo 4.00"


@pytest.fixture
def night_service(app: Flask, make: Factories) -> int:
    """A service of 60 minutes with a worker open 1.00–6.00 every night, a year ahead."""
    service = make.service(duration_min=60, slot_interval_min=60, horizon_days=400)
    pro = make.professional(service, hours=(time(1), time(6)))
    db.session.add(
        StaffUser(
            organisation_id=service.organisation_id,
            unit_id=service.unit_id,
            role=StaffRole.WORKER.value,
            professional_id=pro.id,
            email="worker@example.org",
            name=pro.name,
            active=True,
            created_at=now_utc(),
        )
    )
    db.session.commit()
    return service.id


def test_the_week_view_lists_the_two_three_oclocks_apart(
    client: FlaskClient, night_service: int
) -> None:
    api = client.get(f"/api/v1/services/{night_service}").json
    page = client.get(f"/o/{api['organisation']}/s/{api['slug']}?week=2027-10-25&lang=fi")
    assert page.status_code == 200
    buttons = dict(
        re.findall(r'value="([^"]+)" class="slot">.*?</span>([^<]+)</button>', page.text)
    )
    assert buttons["2027-10-31T00:00:00+00:00"] == "klo 3.00 (kesäaika)"
    assert buttons["2027-10-31T01:00:00+00:00"] == "klo 3.00 (talviaika)"
    assert buttons["2027-10-30T01:00:00+00:00"] == "klo 4.00"  # an ordinary night


def test_the_booking_page_and_the_confirmation_show_the_true_hour(
    client: FlaskClient, night_service: int
) -> None:
    token = book(client, night_service, FIRST_THREE)["manage_token"]
    page = client.get(f"/manage/{token}?lang=fi")
    assert "klo 3.00 (kesäaika)–3.00 (talviaika), 60 min" in page.text
    contexts = [m.context for m in db.session.scalars(select(OutboxMessage))]
    assert contexts
    assert all(
        c["time_range"] == "klo 3.00 (kesäaika)–3.00 (talviaika), 60 min"
        for c in contexts
        if "time_range" in c
    )


def test_the_workers_agenda_shows_the_true_hour(client: FlaskClient, night_service: int) -> None:
    book(client, night_service, FIRST_THREE)
    worker = db.session.scalars(select(StaffUser)).one()
    with client.session_transaction() as session:
        session[SESSION_KEY] = worker.id
    agenda = client.get("/staff/agenda?date=2027-10-31&lang=fi")
    assert agenda.status_code == 200
    assert "klo 3.00 (kesäaika)–3.00 (talviaika), 60 min" in agenda.text
