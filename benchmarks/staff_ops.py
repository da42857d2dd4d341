"""Staff operations on PostgreSQL, with the data shape of ``benchmarks/slots.py`` (one unit
of 20 workers, 8 weeks, 2,000 bookings, 5,000 external busy events):

* ``find_time_p95_ms``: the find-a-time search over the unit's 20 workers for one week
  (one search of seven days, as the page's "the week from this day", every service of the
  unit), p95 of 20 runs;
* ``reassign_day_ms``: the preview and the confirmation (one commit) of moving a sick
  worker's full day of 12 bookings to colleagues, the median of three sick days;
* ``series_12_ms``: the preview and booking (one commit) of a weekly series of 12
  meetings with its messages, an evening outside the weekly hours, median of three.

Prints one JSON object. Needs PostgreSQL (ETAAIKA_BENCH_POSTGRES_URL); exits 2 without it.

    .venv/bin/python benchmarks/staff_ops.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time as clock
import uuid
from datetime import time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, g
from slots import populate
from sqlalchemy import select

from scheduler import create_app
from scheduler.availability.unit_search import find_times
from scheduler.booking import ClientDetails, reassign, series
from scheduler.booking.for_family import FamilyBooking
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date, local_instant, now_utc
from scheduler.models import Booking, Professional, Service, StaffUser
from scheduler.schema import create_all
from scheduler.staff.access import reachable_ids

PG_URL = os.environ.get("ETAAIKA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
FIND_RUNS, SICK_DAYS, DAY_BOOKINGS = 20, 3, 12


def short_service(org_id: int, unit_id: int, pros: list[Professional]) -> Service:
    """A 30-minute service every worker provides: twelve of them fill a working day."""
    service = Service(
        organisation_id=org_id,
        unit_id=unit_id,
        slug="short",
        name={"fi": "Lyhyt"},
        duration_min=30,
        slot_interval_min=15,
        min_notice_min=0,
        horizon_days=120,  # a 12-week series fits
        meeting_modes=["video"],
        open_on_holidays=True,  # so that the series meets no public holiday
    )
    service.professionals.extend(pros)
    db.session.add(service)
    db.session.flush()
    return service


def full_day(service: Service, pro: Professional, day_offset: int) -> None:
    """Twelve half-hour bookings of ``pro``, back to back from 9.00, ``day_offset`` days on."""
    day = local_date(now_utc(), HELSINKI) + timedelta(days=day_offset)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    db.session.execute(
        Booking.__table__.delete().where(  # the day is theirs alone: nothing else booked
            Booking.professional_id == pro.id,
            Booking.start_at >= local_instant(day, time(0), HELSINKI),
            Booking.start_at < local_instant(day + timedelta(days=1), time(0), HELSINKI),
        ),
        execution_options={"schedule_touched": (pro.id,)},
    )
    now = now_utc()
    for index in range(DAY_BOOKINGS):
        start = local_instant(day, time(9), HELSINKI) + timedelta(minutes=30 * index)
        db.session.add(
            Booking(
                uid=f"sick-{uuid.uuid4().hex}",
                organisation_id=service.organisation_id,
                service_id=service.id,
                professional_id=pro.id,
                start_at=start,
                end_at=start + timedelta(minutes=30),
                block_start_at=start,
                block_end_at=start + timedelta(minutes=30),
                status="confirmed",
                language="fi",
                client_name=f"Perhe {index}",
                client_phone="+358401234567",
                created_at=now,
                updated_at=now,
                confirmed_at=now,
                intake_answers={},
            )
        )
    db.session.commit()


def measure(app: Flask) -> dict[str, float | None]:
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        populate()
        pros = list(db.session.scalars(select(Professional).order_by(Professional.id)))
        service = short_service(pros[0].organisation_id, pros[0].unit_id, pros)
        admin = StaffUser(
            organisation_id=pros[0].organisation_id,
            role="org_admin",
            email="bench@example.org",
            name="Bench",
            created_at=now_utc(),
        )
        db.session.add(admin)
        db.session.commit()
        for index in range(SICK_DAYS):
            full_day(service, pros[index], 7 + 7 * index)
        admin_id, service_id = admin.id, service.id
        sick_ids = [pro.id for pro in pros[:SICK_DAYS]]
        db.session.remove()
    week = [local_date(now_utc(), HELSINKI) + timedelta(days=7 + i) for i in range(7)]
    finds = []
    with app.test_request_context():
        g.staff = db.session.get(StaffUser, admin_id)
        services = list(db.session.scalars(select(Service).order_by(Service.id)))
        for run in range(FIND_RUNS + 1):
            began = clock.perf_counter()
            found = len(
                find_times(
                    services, week[0], "any", "fi", "video", now_utc(), reachable_ids(), days=7
                )
            )
            if run:  # the first run fills the caches, as a running service has them
                finds.append((clock.perf_counter() - began) * 1000)
            assert found
        db.session.remove()
    reassigns = []
    for index, sick_id in enumerate(sick_ids):
        with app.test_request_context():
            sick = db.session.get(Professional, sick_id)
            assert sick is not None
            day = local_date(now_utc(), HELSINKI) + timedelta(days=7 + 7 * index)
            while day.weekday() >= 5:
                day += timedelta(days=1)
            began = clock.perf_counter()
            bookings = reassign.bookings_of(sick, day, day, now_utc())
            proposals = reassign.propose(bookings, sick.id, now_utc())
            outcome = reassign.move_all(proposals)
            db.session.commit()
            reassigns.append((clock.perf_counter() - began) * 1000)
            assert len(bookings) == DAY_BOOKINGS and outcome.moved, (len(bookings), service_id)
            db.session.remove()
    series_runs = []
    for index in range(SICK_DAYS):
        with app.test_request_context():
            g.staff = db.session.get(StaffUser, admin_id)
            short = db.session.get(Service, service_id)
            assert short is not None
            day = local_date(now_utc(), HELSINKI) + timedelta(days=1 + index)
            request = FamilyBooking(
                service=short,
                professional_id=sick_ids[-1] + 1 + index,
                start_at=local_instant(day, time(20), HELSINKI),
                meeting_mode="video",
                client=ClientDetails("Perhe", "perhe@example.org", "+358401234567", "fi", {}),
                outside_hours=True,
            )
            began = clock.perf_counter()
            starts = series.meeting_times(request.start_at, HELSINKI, 1, 12, None)
            assert all(m.free for m in series.preview(request, starts))
            booked, skipped = series.book_series(request, starts, admin_id)
            db.session.commit()
            series_runs.append((clock.perf_counter() - began) * 1000)
            assert len(booked) == 12 and not skipped
            db.session.remove()
    with app.app_context():
        db.engine.dispose()
    return {
        "find_time_p95_ms": round(statistics.quantiles(finds, n=20)[18], 2),
        "reassign_day_ms": round(statistics.median(reassigns), 2),
        "series_12_ms": round(statistics.median(series_runs), 2),
    }


def main() -> None:
    try:
        import psycopg

        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=2)
    except Exception:
        print("PostgreSQL is not reachable: set ETAAIKA_BENCH_POSTGRES_URL", file=sys.stderr)
        raise SystemExit(2) from None
    name = f"etaaika_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app(
                {
                    "DATABASE_URL": PG_URL.rsplit("/", 1)[0] + f"/{name}",
                    "TESTING": True,
                    "RATELIMIT_ENABLED": False,
                    "SECRET_KEY": "bench",
                    "PUBLIC_URL": "https://etaaika.example.fi",
                }
            )
            app.instance_path = tmp
            print(json.dumps(measure(app)))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
