"""Busy times (bookings and imported calendars) are kept apart from the standing schedule,
each under its own version of the worker: saving hours does not read the busy times
again, an import does not read the hours again, a kept copy of a wider range answers a
narrower one, and every answer is still exactly what an empty cache gives."""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from scheduler.api.schemas import MAX_SLOT_LIMIT
from scheduler.availability.chunks import merged, patched
from scheduler.availability.versions import touching
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import (
    CalendarFeed,
    ExternalBusy,
    Professional,
    WeeklyRule,
)
from tests.availability.test_slot_cache import count_statements
from tests.availability.test_slot_cache_patch import search as every_start
from tests.availability.test_slot_cache_patch import with_empty_cache as every_start_afresh
from tests.booking_api import HKI, book, next_weekday_at
from tests.factories import Factories

Answer = list[tuple[str, tuple[int, ...]]]


def search(client: FlaskClient, service_id: int, first: str, last: str) -> Answer:
    return every_start(client, service_id, first, last, MAX_SLOT_LIMIT)


def with_empty_cache(
    app: Flask, client: FlaskClient, service_id: int, first: str, last: str
) -> Answer:
    return every_start_afresh(app, client, service_id, first, last, MAX_SLOT_LIMIT)


@pytest.fixture
def statements(any_app: Flask) -> Iterator[list[str]]:
    yield from count_statements(any_app)


def _reads(statements: list[str], table: str) -> bool:
    return any(f"FROM {table}" in s for s in statements)


def _versions(pid: int) -> tuple[int, int]:
    row = db.session.execute(
        select(Professional.schedule_version, Professional.busy_version).where(
            Professional.id == pid
        )
    ).one()
    return int(row[0]), int(row[1])


def _feed(pid: int) -> None:
    db.session.add(
        CalendarFeed(
            professional_id=pid, url="https://calendar.example.org/busy.ics", created_at=now_utc()
        )
    )
    db.session.commit()


def test_saved_hours_read_the_hours_again_and_not_the_busy_times(
    any_app: Flask, make: Factories, statements: list[str]
) -> None:
    service = make.service(buffer_after_min=15)
    first, second = make.professional(service), make.professional(service)
    db.session.commit()
    client = any_app.test_client()
    start = next_weekday_at(10)
    day = start.astimezone(HKI).date().isoformat()
    book(client, service.id, start, professional_id=first.id)
    search(client, service.id, day, day)
    before = _versions(second.id)
    for rule in db.session.scalars(
        select(WeeklyRule).where(WeeklyRule.professional_id == second.id)
    ):
        rule.start_time = rule.start_time.replace(hour=rule.start_time.hour + 1)
    db.session.commit()
    after = _versions(second.id)
    assert after[0] != before[0] and after[1] == before[1]
    statements.clear()
    answer = search(client, service.id, day, day)
    assert _reads(statements, "weekly_rules")
    assert not _reads(statements, "bookings") and not _reads(statements, "external_busy")
    assert answer == with_empty_cache(any_app, client, service.id, day, day)
    # A bulk statement on the rules (as the hours editor saves them) moves the same version.
    db.session.execute(
        touching(
            WeeklyRule.__table__.update()
            .where(WeeklyRule.professional_id == second.id)
            .values(valid_from=None),
            [second.id],
        )
    )
    db.session.commit()
    bulk = _versions(second.id)
    assert bulk[0] != after[0] and bulk[1] == after[1]


def test_an_imported_busy_time_reads_the_busy_times_again_and_not_the_hours(
    any_app: Flask, make: Factories, statements: list[str]
) -> None:
    service = make.service()
    pro = make.professional(service)
    db.session.commit()
    _feed(pro.id)
    client = any_app.test_client()
    start = next_weekday_at(10)
    day = start.astimezone(HKI).date().isoformat()
    search(client, service.id, day, day)
    before = _versions(pro.id)
    # As a calendar import writes them: a bulk statement that names the worker.
    db.session.execute(
        touching(insert(ExternalBusy), [pro.id]),
        [{"professional_id": pro.id, "start_at": start, "end_at": start + timedelta(hours=1)}],
    )
    db.session.commit()
    after = _versions(pro.id)
    assert after[0] == before[0] and after[1] != before[1]
    statements.clear()
    answer = search(client, service.id, day, day)
    assert _reads(statements, "external_busy") and _reads(statements, "bookings")
    assert not _reads(statements, "weekly_rules")
    assert not [s for s in answer if s[0] == start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert answer == with_empty_cache(any_app, client, service.id, day, day)
    # A change of one imported row through the ORM moves the busy version too.
    busy = db.session.scalars(select(ExternalBusy)).one()
    busy.end_at = start + timedelta(hours=2)
    db.session.commit()
    assert _versions(pro.id)[1] != after[1] and _versions(pro.id)[0] == after[0]
    assert search(client, service.id, day, day) == with_empty_cache(
        any_app, client, service.id, day, day
    )


def test_a_kept_copy_of_a_wider_range_answers_each_narrower_one_exactly(
    any_app: Flask, make: Factories, statements: list[str]
) -> None:
    # A daily limit too: the kept copy holds bookings of days outside a narrower range.
    service = make.service(buffer_after_min=15, max_per_worker_per_day=1)
    first, second = make.professional(service), make.professional(service)
    db.session.commit()
    _feed(second.id)
    client = any_app.test_client()
    monday = next_weekday_at(9)
    while monday.astimezone(HKI).weekday() != 0:
        monday += timedelta(days=1)
    book(client, service.id, monday + timedelta(days=1), professional_id=first.id)
    book(client, service.id, monday + timedelta(days=3, hours=2), professional_id=first.id)
    rows = [
        # Away from a week before until Wednesday morning: it starts long before the
        # range of any search of one of these days.
        (monday - timedelta(days=10), monday + timedelta(days=2, hours=1)),
        # Longer than a day, from the evening before Wednesday into Thursday.
        (monday + timedelta(days=1, hours=10), monday + timedelta(days=3, hours=1)),
        (monday + timedelta(days=4, hours=1), monday + timedelta(days=4, hours=2)),
    ]
    db.session.execute(
        touching(insert(ExternalBusy), [second.id]),
        [{"professional_id": second.id, "start_at": a, "end_at": b} for a, b in rows],
    )
    db.session.commit()
    days = [(monday + timedelta(days=k)).astimezone(HKI).date().isoformat() for k in range(7)]
    # From today: the copy kept reaches days before the Monday.
    today = now_utc().astimezone(HKI).date().isoformat()
    wide = search(client, service.id, today, days[-1])
    assert wide == with_empty_cache(any_app, client, service.id, today, days[-1])
    for day in days[1:5]:
        # Both workers' hours are saved again (the same hours): every one of these searches
        # computes again, from the busy times kept for the wide one.
        for rule in db.session.scalars(select(WeeklyRule)):
            rule.valid_from = (rule.valid_from or monday.date()) - timedelta(days=1)
        db.session.commit()
        statements.clear()
        narrow = search(client, service.id, day, day)
        assert not _reads(statements, "bookings") and not _reads(statements, "external_busy")
        assert narrow == with_empty_cache(any_app, client, service.id, day, day), day
        assert narrow == [slot for slot in wide if _local_day(slot[0]) == day]
        if day == days[1]:
            # Away all day (the copy's part for this day starts days before it).
            assert not [slot for slot in narrow if second.id in slot[1]]


def _local_day(instant: str) -> str:
    return datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(HKI).date().isoformat()


def test_a_chunk_is_patched_to_what_making_it_again_gives() -> None:
    rng = random.Random(7)
    step = 15 * 60_000_000
    grid = [k * step for k in range(300)]
    for _turn in range(40):
        workers = {pid: sorted(rng.sample(grid, rng.randrange(0, 200))) for pid in range(1, 30)}
        old = merged(workers, 45 * 60_000_000, stamp=array("q"))
        changed = rng.sample(sorted(workers), rng.randrange(1, 4))
        fresh = dict(workers)
        for pid in changed:
            if rng.random() < 0.3:
                continue  # unchanged starts: the chunk is kept
            kept = set(fresh[pid])
            kept ^= set(rng.sample(grid, rng.randrange(1, 6)))
            fresh[pid] = sorted(kept)
        made = patched(old, {pid: fresh[pid] for pid in changed}, 45 * 60_000_000, array("q"))
        again = merged(fresh, 45 * 60_000_000)
        assert list(made.starts) == list(again.starts)
        assert list(made.offsets) == list(again.offsets)
        assert list(made.ids) == list(again.ids)
        assert made.pieces == again.pieces
        if all(fresh[pid] == workers[pid] for pid in changed):
            assert made.pieces is old.pieces and made.ids is old.ids


def test_a_worker_free_everywhere_who_loses_one_start_rewrites_only_that_start() -> None:
    step = 15 * 60_000_000
    workers = {pid: [k * step for k in range(40)] for pid in range(1, 6)}
    old = merged(workers, 45 * 60_000_000, stamp=array("q"))
    fresh = [k * step for k in range(40) if k != 7]
    made = patched(old, {3: fresh}, 45 * 60_000_000, array("q"))
    changed = [
        k for k, (a, b) in enumerate(zip(old.pieces, made.pieces, strict=True)) if a is not b
    ]
    assert changed == [7]
    assert '"professional_ids":[1,2,4,5]' in made.pieces[7]
