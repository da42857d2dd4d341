"""Cached free times are never stale: after every kind of change the API answers exactly
what a computation from the database gives, and an unchanged schedule is not read again."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, event, select, update

from scheduler import availability
from scheduler.availability import cache as slot_cache
from scheduler.availability import candidates, loading
from scheduler.availability.versions import UntrackedScheduleChange, touching
from scheduler.extensions import db
from scheduler.kernel import local_instant, now_utc
from scheduler.models import (
    Absence,
    Booking,
    CalendarFeed,
    ExternalBusy,
    Professional,
    Service,
    WeeklyRule,
)
from tests.booking_api import HKI, book, iso, next_weekday_at
from tests.conftest import make_app
from tests.factories import Factories

Answer = list[tuple[str, tuple[int, ...]]]


def from_api(client: FlaskClient, service_id: int, day: str, **args: str) -> Answer:
    query = "".join(f"&{k}={v}" for k, v in args.items())
    response = client.get(f"/api/v1/services/{service_id}/slots?from={day}&to={day}{query}")
    assert response.status_code == 200, response.json
    return [(s["start_at"], tuple(s["professional_ids"])) for s in response.json["slots"]]


def afresh(service_id: int, day: str, language: str | None = None) -> Answer:
    """The same search computed from the database with no cache at all."""
    db.session.expire_all()
    service = db.session.get(Service, service_id)
    assert service is not None
    zone = service.organisation.zone
    first = datetime.fromisoformat(day).date()
    start = local_instant(first, time(0), zone)
    end = local_instant(first + timedelta(days=1), time(0), zone)
    pros = candidates.candidates(service, None, language)
    now = now_utc()
    schedules = loading.load_schedules(service, pros, start, end, now)
    found = availability.free_slots(
        loading.service_params(service), schedules, zone, now, start, end
    )
    return [(iso(s.start.replace(microsecond=0)), s.worker_ids) for s in found]


def found_slots(
    service: Service,
    pros: list[Professional],
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[availability.Slot]:
    """The free times the entry point gives (through the cache)."""
    found = availability.free_times(
        availability.Ask(service.id, start, end, among=[p.id for p in pros], now=now)
    )
    assert found is not None
    return found.slots()


@pytest.fixture
def team(any_app: Flask, make: Factories) -> tuple[Service, Professional, Professional]:
    service = make.service(buffer_after_min=15)
    first = make.professional(service, languages=["fi", "sv"])
    second = make.professional(service)
    db.session.commit()
    return service, first, second


def test_every_kind_of_change_shows_at_once_in_the_cached_free_times(
    any_app: Flask, team: tuple[Service, Professional, Professional]
) -> None:
    service, first, second = team
    client = any_app.test_client()
    start = next_weekday_at(10)
    day = start.astimezone(HKI).date().isoformat()
    first_id, second_id, service_id = first.id, second.id, service.id
    state: dict[str, str] = {}

    def booked() -> None:
        state["token"] = book(client, service_id, start, professional_id=first_id)["manage_token"]

    def moved() -> None:
        later = iso(start + timedelta(hours=2))
        moved = client.post(f"/api/v1/manage/{state['token']}/reschedule", json={"start_at": later})
        assert moved.status_code == 200, moved.json

    def cancelled() -> None:
        done = client.post(f"/api/v1/manage/{state['token']}/cancel", json={})
        assert done.status_code == 200, done.json

    def absent() -> None:
        db.session.add(
            Absence(professional_id=second_id, start_at=start, end_at=start + timedelta(hours=1))
        )

    def back_from_absence() -> None:
        # A bulk statement, as the staff pages' editors make: it names whom it changes.
        db.session.execute(
            touching(delete(Absence).where(Absence.professional_id == second_id), [second_id])
        )

    def shorter_hours() -> None:
        for rule in db.session.scalars(
            select(WeeklyRule).where(WeeklyRule.professional_id == first_id)
        ):
            rule.end_time = time(12)

    def calendar_busy() -> None:
        feed = CalendarFeed(
            professional_id=second_id,
            url="https://calendar.example.org/busy.ics",
            created_at=now_utc(),
            last_success_at=now_utc(),
        )
        db.session.add(feed)
        db.session.flush()
        busy_start = start + timedelta(hours=3)
        db.session.add(
            ExternalBusy(
                professional_id=second_id,
                feed_id=feed.id,
                start_at=busy_start,
                end_at=busy_start + timedelta(minutes=30),
                source_uid="busy-1",
            )
        )

    def longer_meetings() -> None:
        db.session.execute(update(Service).where(Service.id == service_id).values(duration_min=90))

    def worker_leaves() -> None:
        db.session.execute(
            update(Professional).where(Professional.id == first_id).values(active=False)
        )

    for change in (
        booked,
        moved,
        cancelled,
        absent,
        back_from_absence,
        shorter_hours,
        calendar_busy,
        longer_meetings,
        worker_leaves,
    ):
        before = from_api(client, service_id, day)
        assert from_api(client, service_id, day) == before  # now served from the cache
        change()
        db.session.commit()
        after = from_api(client, service_id, day)
        assert after != before, change.__name__
        assert after == afresh(service_id, day), change.__name__


def test_a_search_by_language_or_worker_is_cached_apart(
    any_app: Flask, team: tuple[Service, Professional, Professional]
) -> None:
    service, first, second = team
    client = any_app.test_client()
    day = next_weekday_at(10).astimezone(HKI).date().isoformat()
    everyone = from_api(client, service.id, day)
    swedish = from_api(client, service.id, day, language="sv")
    assert swedish == afresh(service.id, day, language="sv")
    assert {ids for _start, ids in swedish} == {(first.id,)}
    assert {ids for _start, ids in everyone} == {(first.id, second.id)}
    named = from_api(client, service.id, day, professional_id=str(second.id))
    assert {ids for _start, ids in named} == {(second.id,)}


def count_statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


@pytest.fixture
def statements(any_app: Flask) -> Iterator[list[str]]:
    yield from count_statements(any_app)


def test_an_unchanged_schedule_is_not_read_again(
    any_app: Flask, team: tuple[Service, Professional, Professional], statements: list[str]
) -> None:
    service, first, _second = team
    client = any_app.test_client()
    start = next_weekday_at(10)
    day = start.astimezone(HKI).date().isoformat()
    from_api(client, service.id, day)
    read_rows = [s for s in statements if "FROM weekly_rules" in s or "FROM bookings" in s]
    assert read_rows, "the first search reads the schedules"
    statements.clear()
    from_api(client, service.id, day)
    assert not [s for s in statements if "FROM weekly_rules" in s or "FROM bookings" in s]
    # A booking of one worker makes the next search read that worker's bookings again,
    # and nobody's standing hours.
    book(client, service.id, start, professional_id=first.id)
    statements.clear()
    from_api(client, service.id, day)
    assert [s for s in statements if "FROM bookings" in s]
    assert not [s for s in statements if "FROM weekly_rules" in s]


def test_a_run_out_hold_frees_its_time_without_any_write(
    any_app: Flask, team: tuple[Service, Professional, Professional]
) -> None:
    service, first, second = team
    client = any_app.test_client()
    start = next_weekday_at(10)
    zone = service.organisation.zone
    day_start = local_instant(start.astimezone(zone).date(), time(0), zone)
    day_end = day_start + timedelta(days=1)
    pros = [first, second]
    held = client.post(
        "/api/v1/holds",
        json={"service_id": service.id, "start_at": iso(start), "professional_id": first.id},
    )
    assert held.status_code == 201
    booking = db.session.scalar(select(Booking))
    assert booking is not None and booking.hold_expires_at is not None
    now = now_utc()
    while_held = found_slots(service, pros, day_start, day_end, now)
    assert first.id not in next(s.worker_ids for s in while_held if s.start == start)
    after = booking.hold_expires_at + timedelta(seconds=1)
    run_out = found_slots(service, pros, day_start, day_end, after)
    assert first.id in next(s.worker_ids for s in run_out if s.start == start)


def test_another_process_sees_a_change_at_once(
    pg_app: Flask, tmp_path: Path, postgres_database: str, make: Factories
) -> None:
    """Two apps on one database stand for two web processes, each with its own cache."""
    service = make.service()
    pro = make.professional(service)
    db.session.commit()
    start = next_weekday_at(11)
    day = start.astimezone(HKI).date().isoformat()
    other = make_app(tmp_path / "other", postgres_database)
    here = pg_app.test_client()
    there = other.test_client()
    try:
        assert (iso(start), (pro.id,)) in from_api(here, service.id, day)
        with other.app_context():
            assert (iso(start), (pro.id,)) in from_api(there, service.id, day)
            book(there, service.id, start)
            db.session.remove()
        assert (iso(start), (pro.id,)) not in from_api(here, service.id, day)
        assert from_api(here, service.id, day) == afresh(service.id, day)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_bulk_change_that_skips_the_versions_is_refused(app: Flask, make: Factories) -> None:
    service = make.service()
    pro = make.professional(service)
    db.session.commit()
    refuse: list[Callable[[], object]] = [
        lambda: db.session.execute(delete(WeeklyRule).where(WeeklyRule.professional_id == pro.id)),
        lambda: db.session.execute(update(Booking).values(status="cancelled")),
        lambda: db.session.execute(delete(Absence)),
    ]
    for statement in refuse:
        with pytest.raises(UntrackedScheduleChange):
            statement()
        db.session.rollback()
    assert db.session.scalar(select(WeeklyRule).limit(1)) is not None


def test_a_service_longer_than_the_editors_allow_is_still_never_stale(
    any_app: Flask, make: Factories
) -> None:
    """A four-day meeting reaches past the dates a search reads versions of by default;
    the search then reads them over the service's own, wider window."""
    service = make.service(duration_min=4 * 24 * 60, slot_interval_min=60, horizon_days=30)
    assert loading.load_margin(loading.service_params(service)) > timedelta(days=2)
    pro = make.professional(service, hours=None)
    day = next_weekday_at(0, days_ahead=3).astimezone(HKI).date()
    make.opening(pro, local_instant(day - timedelta(days=1), time(0), HKI), timedelta(days=10))
    db.session.commit()
    client = any_app.test_client()
    # Four days later: it blocks the afternoon starts of ``day``, whose meetings would
    # still run then, though none of its dates is within three days of ``day``.
    later = local_instant(day + timedelta(days=4), time(12), HKI)
    before = from_api(client, service.id, day.isoformat())
    assert before == afresh(service.id, day.isoformat())
    assert iso(local_instant(day, time(15), HKI)) in [start for start, _ids in before]
    book(client, service.id, later)
    after = from_api(client, service.id, day.isoformat())
    assert iso(local_instant(day, time(15), HKI)) not in [start for start, _ids in after]
    assert after == afresh(service.id, day.isoformat())


@pytest.mark.postgres
def test_a_search_leaves_its_connection_to_transactions_again(
    pg_app: Flask, tmp_path: Path, postgres_database: str, make: Factories
) -> None:
    """On PostgreSQL the search reads in autocommit on a pooled connection of its own; the
    next user of that (only) connection is back in transactions: a rollback undoes."""
    other = make_app(
        tmp_path,
        postgres_database,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0},
    )
    with other.app_context():
        try:
            service = make.service()
            make.professional(service)
            db.session.commit()
            service_id = service.id
            db.session.close()  # the one connection back to the pool, for the search
            day = next_weekday_at(10).astimezone(HKI).date().isoformat()
            assert from_api(other.test_client(), service_id, day)
            db.session.execute(
                update(Service).where(Service.id == service_id).values(slug="kesken")
            )
            db.session.rollback()
            assert db.session.scalar(select(Service.slug).where(Service.id == service_id)) != (
                "kesken"
            )
        finally:
            db.session.remove()
            db.engine.dispose()


def test_cached_free_times_are_not_followed_by_the_garbage_collector(
    any_app: Flask, team: tuple[Service, Professional, Professional]
) -> None:
    """Thousands of cached start times must not make every collection (and so every later
    search) slower: the collector finds nothing to follow inside what is cached."""
    service, _first, _second = team
    day = next_weekday_at(0).astimezone(HKI).date().isoformat()
    assert from_api(any_app.test_client(), service.id, day)
    with any_app.app_context():
        store = slot_cache.cache()
        assert store.workers.items and store.answers.items
    for _valid_until, _version, starts in store.workers.items.values():
        assert len(starts) and followed(starts) == []
    for _valid_until, _version, chunk in store.answers.items.values():
        assert len(chunk.starts)
        assert [followed(part) for part in (chunk.starts, chunk.offsets, chunk.ids)] == [[]] * 3


def test_a_changed_schedule_replaces_its_cached_free_times(
    any_app: Flask, team: tuple[Service, Professional, Professional]
) -> None:
    """After many changes the cache holds what is current, not every earlier version: a
    cache that kept them all would make each collection, and so every search, slower."""
    service, first, _second = team
    client = any_app.test_client()
    day = next_weekday_at(0).astimezone(HKI).date().isoformat()
    assert from_api(client, service.id, day)
    with any_app.app_context():
        store = slot_cache.cache()
        sizes = (len(store.workers.items), len(store.answers.items))
    for minutes in range(5, 60, 5):
        db.session.execute(
            touching(
                update(WeeklyRule)
                .where(WeeklyRule.professional_id == first.id)
                .values(end_time=time(15, minutes)),
                [first.id],
            )
        )
        db.session.commit()
        assert from_api(client, service.id, day) == afresh(service.id, day)
    assert (len(store.workers.items), len(store.answers.items)) == sizes


def followed(value: object) -> list[object]:
    """What the garbage collector visits inside ``value`` (besides its type)."""
    return [ref for ref in gc.get_referents(value) if not isinstance(ref, type)]
