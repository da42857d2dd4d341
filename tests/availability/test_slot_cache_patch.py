"""A cached answer that only a few of many workers' changes touch is patched with those
workers' new free times rather than made again from everyone's; after every kind of
change it is still exactly what a search with an empty cache answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.availability import cache as slot_cache
from scheduler.availability import closures
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import (
    Absence,
    CalendarFeed,
    ExternalBusy,
    Organisation,
    ServicePool,
    Unit,
    WeeklyRule,
)
from tests.booking_api import HKI, book, iso, next_weekday_at
from tests.factories import Factories

WORKERS = 12

Answer = list[tuple[str, tuple[int, ...]]]


def search(
    client: FlaskClient, service_id: int, first: str, last: str, limit: int | None = None
) -> Answer:
    more = f"&limit={limit}" if limit is not None else ""
    response = client.get(f"/api/v1/services/{service_id}/slots?from={first}&to={last}{more}")
    assert response.status_code == 200, response.json
    return [(s["start_at"], tuple(s["professional_ids"])) for s in response.json["slots"]]


def with_empty_cache(
    app: Flask,
    client: FlaskClient,
    service_id: int,
    first: str,
    last: str,
    limit: int | None = None,
) -> Answer:
    """The same search from an empty cache (everything computed from the database)."""
    kept = app.extensions["etaaika_slot_cache"]
    app.extensions["etaaika_slot_cache"] = slot_cache.SlotCache()
    try:
        return search(client, service_id, first, last, limit)
    finally:
        app.extensions["etaaika_slot_cache"] = kept


@pytest.fixture
def patches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the chunks patched rather than made again."""
    made: list[int] = []
    real = slot_cache.patched

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(slot_cache, "patched", counted)
    return made


def test_each_change_of_one_worker_among_many_is_patched_in_and_never_stale(
    any_app: Flask, make: Factories, patches: list[int]
) -> None:
    service = make.service(buffer_after_min=15)
    pros = [make.professional(service) for _ in range(WORKERS)]
    db.session.commit()
    client = any_app.test_client()
    start = next_weekday_at(10)
    first = start.astimezone(HKI).date()
    days = (first.isoformat(), (first + timedelta(days=4)).isoformat())
    service_id, one_id = service.id, pros[3].id
    unit_id, org_id = service.unit_id, service.organisation_id

    def booking() -> None:
        book(client, service_id, start, professional_id=one_id)

    def hold() -> None:
        later = start + timedelta(hours=2)
        held = client.post(
            "/api/v1/holds",
            json={"service_id": service_id, "start_at": iso(later), "professional_id": one_id},
        )
        assert held.status_code == 201, held.json

    def absence() -> None:
        begins = start + timedelta(days=1)
        db.session.add(
            Absence(professional_id=one_id, start_at=begins, end_at=begins + timedelta(hours=2))
        )

    def weekly_hours() -> None:
        for rule in db.session.scalars(
            select(WeeklyRule).where(WeeklyRule.professional_id == one_id)
        ):
            rule.start_time = rule.start_time.replace(hour=12)

    def feed_busy_time() -> None:
        feed = CalendarFeed(
            professional_id=one_id,
            url="https://calendar.example.org/busy.ics",
            created_at=now_utc(),
            last_success_at=now_utc(),
        )
        db.session.add(feed)
        db.session.flush()
        begins = start + timedelta(days=2, hours=3)
        db.session.add(
            ExternalBusy(
                professional_id=one_id,
                feed_id=feed.id,
                start_at=begins,
                end_at=begins + timedelta(minutes=30),
                source_uid="busy-1",
            )
        )

    def closure() -> None:
        organisation = db.session.get(Organisation, org_id)
        unit = db.session.get(Unit, unit_id)
        assert organisation is not None and unit is not None
        day = (start + timedelta(days=3)).astimezone(HKI).date()
        closures.add_closure(
            organisation, unit, day, None, None, {"fi": "Koulutus"}, "admin", now_utc()
        )

    one_worker: list[Callable[[], None]] = [booking, hold, absence, weekly_hours, feed_busy_time]
    for change in [*one_worker, closure]:
        before = search(client, service_id, *days)
        assert search(client, service_id, *days) == before  # from the cache
        patched_before = len(patches)
        change()
        db.session.commit()
        after = search(client, service_id, *days)
        assert after != before, change.__name__
        assert after == with_empty_cache(any_app, client, service_id, *days), change.__name__
        if change in one_worker:
            assert len(patches) > patched_before, change.__name__


def test_a_change_of_a_team_services_pools_is_seen_at_once(any_app: Flask, make: Factories) -> None:
    service = make.service(duration_min=60, slot_interval_min=60)
    leads = [make.professional(service) for _ in range(WORKERS // 2)]
    others = [make.professional() for _ in range(WORKERS // 2)]
    make.pool(service, leads)
    make.pool(service, others)
    db.session.commit()
    client = any_app.test_client()
    first = next_weekday_at(10).astimezone(HKI).date()
    days = (first.isoformat(), (first + timedelta(days=2)).isoformat())
    service_id, leaving = service.id, others[0].id
    before = search(client, service_id, *days)
    assert before and all(leaving in ids for _start, ids in before)
    pool = db.session.scalars(
        select(ServicePool).where(ServicePool.service_id == service_id, ServicePool.position == 1)
    ).one()
    pool.members = [pro for pro in pool.members if pro.id != leaving]
    db.session.commit()
    after = search(client, service_id, *days)
    assert after != before
    assert all(leaving not in ids for _start, ids in after)
    assert after == with_empty_cache(any_app, client, service_id, *days)
