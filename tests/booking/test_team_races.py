"""Races for team times on PostgreSQL with the schema the migrations build: the last
common time of two workers goes to one family, and a team booking and a booking of one
of its workers for another service never both stand."""

from __future__ import annotations

from collections import Counter
from datetime import time

import pytest
from flask import Flask

from scheduler.extensions import db
from scheduler.models import Service
from tests.booking.test_races import active_bookings, race
from tests.booking_api import iso, next_weekday_at
from tests.conftest import RACERS
from tests.factories import Factories

pytestmark = pytest.mark.postgres


def team_with_one_common_hour(make: Factories) -> Service:
    """Two pools of two workers. At 10–11 both social workers are free but only one
    family counsellor (the other has other hours): 10.00 is the last common time, and
    only one team can meet then."""
    service = make.service(duration_min=60, slot_interval_min=60)
    social = [
        make.professional(service, hours=(time(10), time(11))),
        make.professional(service, hours=(time(10), time(11))),
    ]
    counsellors = [
        make.professional(service, hours=(time(9), time(11))),
        make.professional(service, hours=(time(14), time(16))),
    ]
    make.pool(service, social)
    make.pool(service, counsellors)
    db.session.commit()
    return service


def test_families_racing_for_the_last_common_time_end_with_one_booking(
    race_app: Flask, make: Factories
) -> None:
    service = team_with_one_common_hour(make)
    body = {"service_id": service.id, "start_at": iso(next_weekday_at(10))}

    outcomes = race(race_app, [body] * RACERS)

    assert Counter(status for status, _code in outcomes) == {201: 1, 409: RACERS - 1}
    assert {code for _status, code in outcomes if code} == {"slot_taken"}
    lead, companion = sorted(active_bookings(), key=lambda b: b.lead_booking_id or 0)
    assert companion.lead_booking_id == lead.id
    assert lead.professional_id != companion.professional_id


def test_a_team_time_and_one_of_its_workers_other_booking_never_both_stand(
    race_app: Flask, make: Factories
) -> None:
    service = team_with_one_common_hour(make)
    counsellor = service.pools[1].members[0]
    single = make.service(duration_min=60)
    counsellor.services.append(single)
    db.session.commit()
    start = iso(next_weekday_at(10))
    team_body = {"service_id": service.id, "start_at": start}
    single_body = {"service_id": single.id, "start_at": start, "professional_id": counsellor.id}

    outcomes = race(race_app, [team_body, single_body] * (RACERS // 2))

    assert Counter(status for status, _code in outcomes)[201] == 1
    rows = active_bookings()
    assert len(rows) in (1, 2)  # one family's booking: the team's two rows or the single one
    assert len({b.lead_booking_id or b.id for b in rows}) == 1
