"""Public holidays and closures remove free times from the one free-times entry point:
the families' search, its cache, and the re-check when a time is taken."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scheduler.availability import closures
from scheduler.availability.holidays import named_holidays
from scheduler.extensions import db
from scheduler.kernel import Problem, now_utc
from scheduler.models import Organisation, Service, Unit
from tests.booking_api import HKI, iso
from tests.factories import Factories

AFTERNOON = [f"{hour:02d}:{minute:02d}" for hour in (12, 13, 14) for minute in (0, 15, 30, 45)]


def next_date(month: int, day: int) -> date:
    """The next ``day``.``month`` at least two days from today."""
    soon = date.today() + timedelta(days=2)
    found = date(soon.year, month, day)
    return found if found >= soon else date(soon.year + 1, month, day)


def starts(client: FlaskClient, service_id: int, day: date) -> list[str]:
    """The local start times (HH:MM) the families' search offers on ``day``."""
    response = client.get(f"/api/v1/services/{service_id}/slots?from={day}&to={day}")
    assert response.status_code == 200, response.json
    return [
        datetime.fromisoformat(s["start_at"]).astimezone(HKI).strftime("%H:%M")
        for s in response.json["slots"]
    ]


@pytest.fixture
def closed_unit(app: Flask, make: Factories) -> Unit:
    return make.unit(open_on_holidays=False)


def open_service(make: Factories, unit: Unit, **kw: object) -> Service:
    service = make.service(unit, horizon_days=400, duration_min=45, **kw)
    make.professional(service)
    return service


def test_holiday_names_come_in_finnish_and_swedish_and_aland_has_its_own_day() -> None:
    mainland = dict(named_holidays(None, 2026, "fi"))
    aland = dict(named_holidays("01", 2026, "sv"))
    assert mainland[date(2026, 12, 6)] == "Itsenäisyyspäivä"
    assert aland[date(2026, 12, 25)] == "Juldagen"
    assert aland[date(2026, 6, 9)] == "Ålands självstyrelsedag"
    assert date(2026, 6, 9) not in mainland


def test_a_public_holiday_offers_no_times_and_the_day_before_does(
    client: FlaskClient, make: Factories, closed_unit: Unit
) -> None:
    service = open_service(make, closed_unit)
    christmas = next_date(12, 25)
    assert starts(client, service.id, christmas) == []
    assert starts(client, service.id, christmas - timedelta(days=2))  # 23.12 is a working day


def test_christmas_eve_and_epiphany_offer_no_times(
    client: FlaskClient, make: Factories, closed_unit: Unit
) -> None:
    service = open_service(make, closed_unit)
    assert starts(client, service.id, next_date(12, 24)) == []
    assert starts(client, service.id, next_date(1, 6)) == []


def test_alands_autonomy_day_closes_only_an_organisation_on_aland(
    client: FlaskClient, make: Factories
) -> None:
    aland = make.unit(make.organisation(holiday_region="01"), open_on_holidays=False)
    mainland = make.unit(open_on_holidays=False)
    autonomy_day = next_date(6, 9)
    assert starts(client, open_service(make, aland).id, autonomy_day) == []
    assert starts(client, open_service(make, mainland).id, autonomy_day)


def test_an_on_call_service_or_unit_keeps_its_hours_on_holidays(
    client: FlaskClient, make: Factories, closed_unit: Unit
) -> None:
    christmas = next_date(12, 25)
    on_call_service = open_service(make, closed_unit, open_on_holidays=True)
    on_call_unit = make.unit(open_on_holidays=True)
    assert starts(client, on_call_service.id, christmas)
    assert starts(client, open_service(make, on_call_unit).id, christmas)


def test_turning_a_service_on_call_shows_its_holiday_times_at_once(
    client: FlaskClient, make: Factories, closed_unit: Unit
) -> None:
    service = open_service(make, closed_unit)
    christmas = next_date(12, 25)
    assert starts(client, service.id, christmas) == []  # now in the cache
    service.open_on_holidays = True
    db.session.commit()
    assert starts(client, service.id, christmas)


def test_a_closure_added_after_a_search_removes_the_cached_times(
    client: FlaskClient, make: Factories
) -> None:
    unit = make.unit()
    service = open_service(make, unit)
    day = date.today() + timedelta(days=3)
    assert "09:00" in starts(client, service.id, day)  # now in the cache
    org = db.session.get(Organisation, unit.organisation_id)
    assert org is not None
    closures.add_closure(org, None, day, None, None, {"fi": "Koulutus"}, "admin", now_utc())
    db.session.commit()
    assert starts(client, service.id, day) == []


def test_a_half_day_closure_removes_only_its_part(client: FlaskClient, make: Factories) -> None:
    unit = make.unit()
    service = open_service(make, unit)
    day = date.today() + timedelta(days=3)
    closures.add_closure(
        unit.organisation, unit, day, time(12), None, {"fi": "Virkistyspäivä"}, None, now_utc()
    )
    db.session.commit()
    offered = starts(client, service.id, day)
    assert "11:15" in offered  # ends 12.00, before the closure
    assert not set(AFTERNOON) & set(offered)


def test_a_units_closure_leaves_the_other_units_open(client: FlaskClient, make: Factories) -> None:
    closed = make.unit()
    other = make.unit(closed.organisation)
    day = date.today() + timedelta(days=3)
    closures.add_closure(
        closed.organisation, closed, day, None, None, {"fi": "Muutto"}, None, now_utc()
    )
    db.session.commit()
    assert starts(client, open_service(make, closed).id, day) == []
    assert starts(client, open_service(make, other).id, day)


def test_removing_a_closure_gives_the_times_back(client: FlaskClient, make: Factories) -> None:
    unit = make.unit()
    service = open_service(make, unit)
    day = date.today() + timedelta(days=3)
    closure = closures.add_closure(
        unit.organisation, None, day, None, None, {"fi": "Koulutus"}, None, now_utc()
    )
    db.session.commit()
    assert starts(client, service.id, day) == []
    closures.remove_closure(closure)
    db.session.commit()
    assert "09:00" in starts(client, service.id, day)


def test_a_time_on_a_holiday_cannot_be_held(
    client: FlaskClient, make: Factories, closed_unit: Unit
) -> None:
    service = open_service(make, closed_unit)
    christmas = next_date(12, 25)
    start = datetime.combine(christmas, time(10), tzinfo=HKI)
    held = client.post("/api/v1/holds", json={"service_id": service.id, "start_at": iso(start)})
    assert held.status_code == 409, held.json


def test_a_closure_in_the_past_is_refused(app: Flask, make: Factories) -> None:
    unit = make.unit()
    with app.test_request_context(), pytest.raises(Problem) as refused:
        closures.add_closure(
            unit.organisation,
            None,
            date.today() - timedelta(days=2),
            None,
            None,
            {"fi": "x"},
            None,
            now_utc(),
        )
    assert refused.value.status == 422
