"""Demo data: a fictional municipality in Lapland with five services and eight workers."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import delete, select

from scheduler.demo.data import CLIENTS, SERVICES, SLUG, WORKERS, texts
from scheduler.demo.figures import create_figure_history, measure_today
from scheduler.extensions import db
from scheduler.kernel import local_date, local_instant, now_utc
from scheduler.models import (
    Absence,
    Booking,
    BookingStatus,
    Organisation,
    Professional,
    Service,
    Unit,
    WeeklyRule,
)


def remove_demo() -> None:
    org = db.session.scalar(select(Organisation).where(Organisation.slug == SLUG))
    if org is None:
        return
    for table in reversed(db.metadata.sorted_tables):
        if "organisation_id" in table.c:
            db.session.execute(delete(table).where(table.c.organisation_id == org.id))
    db.session.delete(org)
    db.session.flush()


def create_demo(reset: bool = False, today: date | None = None, seed: int = 7) -> bool:
    """Create the demo organisation; False when it is there already. Flushes, never commits."""
    if reset:
        remove_demo()
    if db.session.scalar(select(Organisation.id).where(Organisation.slug == SLUG)):
        return False
    rng = random.Random(seed)
    org = Organisation(
        slug=SLUG,
        name=texts("Tunturikylän kunta", "Tunturikylä kommun", "Municipality of Tunturikylä"),
        timezone="Europe/Helsinki",
        languages=["fi", "sv", "en", "se"],
        email_from="etaasiointi@tunturikyla.example",
    )
    db.session.add(org)
    db.session.flush()
    unit = Unit(
        organisation_id=org.id,
        name=texts(
            "Perhekeskus ja sosiaalipalvelut",
            "Familjecentret och socialservicen",
            "Family centre and social services",
        ),
        phone="+358161234567",
        phone_hours=texts("ma–pe klo 9–15", "mån–fre kl. 9–15", "Mon–Fri 9 am – 3 pm"),
    )
    db.session.add(unit)
    db.session.flush()
    services: dict[str, Service] = {}
    for spec in SERVICES:
        service = Service(organisation_id=org.id, unit_id=unit.id, **spec)
        db.session.add(service)
        services[spec["slug"]] = service
    db.session.flush()
    workers: list[Professional] = []
    for name, title, languages, slugs, (weekdays, start, end) in WORKERS:
        email = name.lower().replace(" ", ".").replace("ä", "a").replace("ö", "o")
        pro = Professional(
            organisation_id=org.id,
            unit_id=unit.id,
            name=name,
            title=title,
            languages=languages,
            email=f"{email}@tunturikyla.example",
        )
        pro.services.extend(services[s] for s in slugs)
        db.session.add(pro)
        db.session.flush()
        for weekday in weekdays:
            # A lunch break splits the day into two rules.
            db.session.add(
                WeeklyRule(
                    professional_id=pro.id,
                    weekday=weekday,
                    start_time=start,
                    end_time=time(11, 30),
                    service_ids=[],
                )
            )
            db.session.add(
                WeeklyRule(
                    professional_id=pro.id,
                    weekday=weekday,
                    start_time=time(12),
                    end_time=end,
                    service_ids=[],
                )
            )
        workers.append(pro)
    db.session.flush()
    zone = org.zone
    now = now_utc()
    today = today or local_date(now, zone)
    # One worker is on a training day next week.
    absent_day = today + timedelta(days=7 - today.weekday() + 2)
    db.session.add(
        Absence(
            professional_id=workers[5].id,
            start_at=local_instant(absent_day, time(0), zone),
            end_at=local_instant(absent_day + timedelta(days=1), time(0), zone),
            reason="koulutus",
        )
    )
    _demo_bookings(workers, today, rng)
    create_figure_history(org, list(services.values()), today, random.Random(seed + 1))
    db.session.flush()
    return True


def measure_demo_today() -> None:
    """Today's access figures of the demo, measured for real (a few seconds)."""
    org = db.session.scalar(select(Organisation).where(Organisation.slug == SLUG))
    if org is not None:
        measure_today(org)


def _demo_bookings(workers: list[Professional], today: date, rng: random.Random) -> None:
    zone = workers[0].organisation.zone
    now = now_utc()
    n = 0
    for offset in range(1, 15):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for pro in workers:
            if rng.random() < 0.5:
                continue
            service = pro.services[0]
            start = local_instant(day, time(rng.choice([9, 10, 13, 14])), zone)
            end = start + timedelta(minutes=service.duration_min)
            n += 1
            db.session.add(
                Booking(
                    uid=f"demo-{n}@etaaika",
                    organisation_id=pro.organisation_id,
                    service_id=service.id,
                    professional_id=pro.id,
                    start_at=start,
                    end_at=end,
                    block_start_at=start - timedelta(minutes=service.buffer_before_min),
                    block_end_at=end + timedelta(minutes=service.buffer_after_min),
                    status=BookingStatus.CONFIRMED,
                    meeting_mode=service.meeting_modes[0],
                    client_name=rng.choice(CLIENTS),
                    client_email=f"asiakas{n}@example.org",
                    language="fi",
                    intake_answers={},
                    created_at=now,
                    updated_at=now,
                    confirmed_at=now,
                    consent_at=now,
                )
            )
