"""The nightly figures job on a county-sized organisation, on SQLite.

10 units, 3 services each (30 services), 60 workers (each in one unit, giving all its
services), 8 weeks of hours, 6,000 bookings over the past week and the coming four
weeks of varied statuses, and 1,000 feedback answers. Times one full run of
``snapshot_figures()`` (access figures of today, activity of the past seven days) and the
admin page's data for a 28-day period. Prints one JSON object: {"snapshot_s",
"access_rows", "activity_rows", "page_data_ms"}.

    .venv/bin/python benchmarks/figures.py
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time as clock
from datetime import time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler import create_app
from scheduler.extensions import db
from scheduler.figures import snapshot_figures
from scheduler.figures.periods import default_period, steps, summarise
from scheduler.figures.report import snapshot_rows
from scheduler.kernel import HELSINKI, local_date, local_instant, now_utc
from scheduler.models import (
    Booking,
    Feedback,
    Organisation,
    Professional,
    Service,
    StaffUser,
    Unit,
    WeeklyRule,
)
from scheduler.schema import create_all

UNITS, SERVICES_PER_UNIT, WORKERS_PER_UNIT, BOOKINGS, FEEDBACK = 10, 3, 6, 6000, 1000
STATUSES = ["confirmed"] * 5 + ["completed"] * 3 + ["no_show", "cancelled", "cancelled"]


def populate(rng: random.Random) -> Organisation:
    org = Organisation(slug="bench", name={"fi": "Bench"}, timezone="Europe/Helsinki")
    db.session.add(org)
    db.session.flush()
    today = local_date(now_utc(), HELSINKI)
    taken: set[tuple[int, object]] = set()
    for u in range(UNITS):
        unit = Unit(organisation_id=org.id, name={"fi": f"Yksikkö {u}"})
        db.session.add(unit)
        db.session.flush()
        services = []
        for s in range(SERVICES_PER_UNIT):
            service = Service(
                organisation_id=org.id,
                unit_id=unit.id,
                slug=f"s{u}-{s}",
                name={"fi": f"Palvelu {u}-{s}"},
                duration_min=45,
                slot_interval_min=15,
                min_notice_min=120,
                horizon_days=56,
            )
            db.session.add(service)
            services.append(service)
        db.session.flush()
        for w in range(WORKERS_PER_UNIT):
            pro = Professional(organisation_id=org.id, unit_id=unit.id, name=f"T {u}-{w}")
            pro.services.extend(services)
            db.session.add(pro)
            db.session.flush()
            for weekday in range(5):
                db.session.add(
                    WeeklyRule(
                        professional_id=pro.id,
                        weekday=weekday,
                        start_time=time(8),
                        end_time=time(16),
                        service_ids=[],
                    )
                )
            for _n in range(BOOKINGS // (UNITS * WORKERS_PER_UNIT)):
                day = today + timedelta(days=rng.randint(-7, 27))
                hour = rng.randint(8, 15)
                if (pro.id, (day, hour)) in taken or day.weekday() > 4:
                    continue
                taken.add((pro.id, (day, hour)))
                start = local_instant(day, time(hour), HELSINKI)
                status = rng.choice(STATUSES)
                if start > now_utc() and status in ("completed", "no_show"):
                    status = "confirmed"
                service = rng.choice(services)
                made = start - timedelta(days=rng.randint(1, 10))
                db.session.add(
                    Booking(
                        uid=f"b{pro.id}-{day}-{hour}",
                        organisation_id=org.id,
                        service_id=service.id,
                        professional_id=pro.id,
                        start_at=start,
                        end_at=start + timedelta(minutes=45),
                        block_start_at=start,
                        block_end_at=start + timedelta(minutes=45),
                        status=status,
                        meeting_mode=rng.choice(["video", "video", "phone"]),
                        created_at=made,
                        updated_at=made,
                        confirmed_at=made,
                        cancelled_at=made + timedelta(hours=5) if status == "cancelled" else None,
                        cancelled_by=rng.choice(["client", "staff"])
                        if status == "cancelled"
                        else None,
                    )
                )
        for _n in range(FEEDBACK // UNITS):
            service = rng.choice(services)
            db.session.add(
                Feedback(
                    organisation_id=org.id,
                    unit_id=unit.id,
                    service_id=service.id,
                    rating=rng.randint(1, 5),
                    received_on=today - timedelta(days=rng.randint(1, 7)),
                )
            )
    db.session.flush()
    return org


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
            }
        )
        with app.app_context():
            with db.engine.begin() as connection:
                create_all(connection)
            org = populate(random.Random(1))
            db.session.commit()
            started = clock.perf_counter()
            report = snapshot_figures()
            db.session.commit()
            snapshot_s = clock.perf_counter() - started
            admin = StaffUser(
                organisation_id=org.id, role="org_admin", email="a@example.org", name="Admin"
            )
            db.session.add(admin)
            db.session.flush()
            period = default_period(local_date(now_utc(), HELSINKI))
            started = clock.perf_counter()
            rows = snapshot_rows(admin, period)
            for subject_rows in rows.values():
                summarise(subject_rows)
                for part in steps(period):
                    summarise([r for r in subject_rows if part.start <= r.day <= part.end])
            page_ms = (clock.perf_counter() - started) * 1000
            db.session.rollback()
            db.engine.dispose()
    print(
        json.dumps(
            {
                "snapshot_s": round(snapshot_s, 2),
                "access_rows": report.access_rows,
                "activity_rows": report.activity_rows,
                "page_data_ms": round(page_ms, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
