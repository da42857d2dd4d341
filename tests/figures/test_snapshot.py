"""The nightly figures on a seeded history: bookings of known statuses on known days,
the job run for those dates, exact numbers per service and unit; run again, no change."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.figures import nightly_figures, snapshot_figures
from scheduler.models import Feedback, FigureSnapshot, Organisation, Service, Unit
from tests.factories import Factories
from tests.figures.conftest import History, at

# Saturday 28.3.2026; Sunday 29.3.2026 is the spring DST change (a day of 23 hours).
X = date(2026, 3, 28)
NEXT = X + timedelta(days=1)
AFTER = X + timedelta(days=2)
COUNTS = [
    "bookings",
    "cancelled_by_client",
    "cancelled_by_staff",
    "cancelled_by_system",
    "held",
    "no_shows",
    "unmarked",
    "video",
    "phone",
    "feedback_count",
    "feedback_sum",
]


def row(day: date, scope: str, subject_id: int) -> FigureSnapshot:
    found = db.session.scalar(
        select(FigureSnapshot).where(
            FigureSnapshot.day == day,
            FigureSnapshot.scope == scope,
            FigureSnapshot.subject_id == subject_id,
        )
    )
    assert found is not None, (day, scope, subject_id)
    return found


def counts(snapshot: FigureSnapshot) -> dict[str, Any]:
    return {name: getattr(snapshot, name) for name in COUNTS}


def expected(**nonzero: int) -> dict[str, int]:
    return {name: nonzero.get(name, 0) for name in COUNTS}


def seed(make: Factories, history: History) -> dict[str, Any]:
    org = make.organisation()
    u1 = make.unit(org)
    u2 = make.unit(org)
    a = make.service(u1)
    b = make.service(u1)
    c = make.service(u2)
    pa, pb, pc = make.professional(a), make.professional(b), make.professional(c)
    # Service A on X: four bookings made, three meetings, three cancellations.
    history.booking(a, pa, at(X, 12), "completed", confirmed_at=at(X, 10))
    history.booking(a, pa, at(X, 13), "no_show", meeting_mode="phone", confirmed_at=at(X, 10))
    history.booking(a, pa, at(X, 14), "confirmed", confirmed_at=at(X, 10))
    history.booking(
        a,
        pa,
        at(X, 15) + timedelta(days=5),
        "cancelled",
        cancelled_by="client",
        cancelled_at=at(X, 15),
        confirmed_at=at(X, 9) - timedelta(days=1),
    )
    history.booking(
        a,
        pa,
        at(X, 16) + timedelta(days=5),
        "cancelled",
        cancelled_by="staff",
        cancelled_at=at(X, 16),
        confirmed_at=at(X, 9),
    )
    history.booking(
        a,
        pa,
        at(X, 17) + timedelta(days=5),
        "cancelled",
        cancelled_by=None,
        cancelled_at=at(X, 23, 30),
        confirmed_at=at(X, 9) - timedelta(days=2),
    )
    history.booking(a, pa, at(X, 18), "expired", confirmed_at=None, created_at=at(X, 8))
    # Service B: a phone meeting held on X; a cancellation 30 minutes after X's midnight.
    history.booking(
        b,
        pb,
        at(X, 9),
        "completed",
        meeting_mode="phone",
        confirmed_at=at(X, 9) - timedelta(days=5),
    )
    history.booking(
        b,
        pb,
        at(X, 10) + timedelta(days=4),
        "cancelled",
        cancelled_by="system",
        cancelled_at=at(NEXT, 0, 30),
        confirmed_at=at(X, 9) - timedelta(days=5),
    )
    # Service C: booked on X for later; cancelled by the family at 0.30 on the Monday
    # after the DST change, which is still Sunday in UTC.
    history.booking(c, pc, at(X, 9) + timedelta(days=6), "confirmed", confirmed_at=at(X, 8))
    history.booking(
        c,
        pc,
        at(X, 11) + timedelta(days=6),
        "cancelled",
        cancelled_by="client",
        cancelled_at=at(AFTER, 0, 30),
        confirmed_at=at(X, 8) - timedelta(days=3),
    )
    for service, rating, day in ((a, 5, X), (a, 3, X), (b, 4, X), (c, 1, NEXT)):
        db.session.add(
            Feedback(
                organisation_id=org.id,
                unit_id=service.unit_id,
                service_id=service.id,
                received_on=day,
                rating=rating,
            )
        )
    db.session.flush()
    return {"org": org, "u1": u1, "u2": u2, "a": a, "b": b, "c": c}


def assert_history(s: dict[str, Any]) -> None:
    a, b, c, u1, u2 = s["a"], s["b"], s["c"], s["u1"], s["u2"]
    assert counts(row(X, "service", a.id)) == expected(
        bookings=4,
        cancelled_by_client=1,
        cancelled_by_staff=1,
        cancelled_by_system=1,
        held=1,
        no_shows=1,
        unmarked=1,
        video=2,
        phone=1,
        feedback_count=2,
        feedback_sum=8,
    )
    assert counts(row(X, "service", b.id)) == expected(
        held=1, phone=1, feedback_count=1, feedback_sum=4
    )
    assert counts(row(X, "unit", u1.id)) == expected(
        bookings=4,
        cancelled_by_client=1,
        cancelled_by_staff=1,
        cancelled_by_system=1,
        held=2,
        no_shows=1,
        unmarked=1,
        video=2,
        phone=2,
        feedback_count=3,
        feedback_sum=12,
    )
    assert counts(row(X, "service", c.id)) == expected(bookings=1)
    assert counts(row(X, "unit", u2.id)) == expected(bookings=1)
    assert counts(row(NEXT, "service", b.id)) == expected(cancelled_by_system=1)
    assert counts(row(NEXT, "unit", u1.id)) == expected(cancelled_by_system=1)
    assert counts(row(NEXT, "service", c.id)) == expected(feedback_count=1, feedback_sum=1)
    assert counts(row(AFTER, "service", c.id)) == expected(cancelled_by_client=1)
    assert counts(row(AFTER, "unit", u2.id)) == expected(cancelled_by_client=1)
    # The booking made the day before X and cancelled on X counts on both days.
    assert counts(row(X - timedelta(days=1), "unit", u1.id)) == expected(bookings=1)
    assert counts(row(X - timedelta(days=3), "unit", u1.id)) == expected()
    average = row(X, "unit", u1.id).feedback_average
    assert average == pytest.approx(4.0)


def test_seeded_history_gives_exact_figures(app: Flask, make: Factories, history: History) -> None:
    s = seed(make, history)
    report = snapshot_figures(AFTER + timedelta(days=1))
    assert report.days == [AFTER - timedelta(days=d) for d in range(6, -1, -1)]
    # A past day's access figures cannot be measured afterwards: none are written.
    assert report.access_rows == 0
    assert_history(s)
    assert db.session.scalar(select(func.count()).select_from(FigureSnapshot)) == 7 * 5
    assert row(X, "service", s["a"].id).measured_at is None


def test_running_again_changes_nothing_but_takes_late_markings(
    any_app: Flask, make: Factories, history: History
) -> None:
    s = seed(make, history)
    for day in (X + timedelta(days=1), AFTER, AFTER + timedelta(days=1)):
        snapshot_figures(day)
    snapshot_figures(AFTER + timedelta(days=1))
    db.session.commit()
    assert_history(s)
    assert db.session.scalar(select(func.count()).select_from(FigureSnapshot)) == 9 * 5
    # A worker marks the unmarked meeting of X as held two days late: the next night
    # counts X again.
    from scheduler.models import Booking

    late = db.session.scalar(
        select(Booking).where(Booking.service_id == s["a"].id, Booking.status == "confirmed")
    )
    assert late is not None
    late.status = "completed"
    snapshot_figures(AFTER + timedelta(days=1))
    assert row(X, "service", s["a"].id).held == 2
    assert row(X, "service", s["a"].id).unmarked == 0


def test_access_figures_of_today_from_the_slot_search(
    any_app: Flask, make: Factories, history: History
) -> None:
    # Friday 27.3.2026 at 13.00: the worker is free 9–12 on weekdays, hourly meetings.
    friday = date(2026, 3, 27)
    now = at(friday, 13)
    org = make.organisation()
    unit = make.unit(org)
    service = make.service(unit, duration_min=60, slot_interval_min=60)
    other = make.service(unit, duration_min=60, slot_interval_min=60, bookable=False)
    pro = make.professional(service, hours=(time(9), time(12)), weekdays=(0, 1, 2, 3, 4))
    history.booking(service, pro, at(date(2026, 3, 30), 9), "confirmed")
    report = snapshot_figures(now=now)
    assert report.access_rows == 3
    figures = row(friday, "service", service.id)
    # Mon 10, Mon 11, Tue 9: Tuesday is four days from Friday.
    assert figures.t3_days == 4
    # Weekdays Mon 30.3 – Fri 24.4, three times each, less the one booked.
    assert (figures.free_times, figures.booked_times) == (59, 1)
    assert figures.measured_at == now
    assert row(friday, "service", other.id).t3_days is None
    assert row(friday, "service", other.id).free_times == 0
    assert (
        row(friday, "unit", unit.id).t3_days,
        row(friday, "unit", unit.id).free_times,
        row(friday, "unit", unit.id).booked_times,
    ) == (4, 59, 1)


def test_unit_t3_merges_the_services_of_the_unit(app: Flask, make: Factories) -> None:
    monday = date(2026, 3, 2)
    org = make.organisation()
    unit = make.unit(org)
    first = make.service(unit, duration_min=60, slot_interval_min=60)
    second = make.service(unit, duration_min=60, slot_interval_min=60)
    make.professional(first, hours=(time(9), time(10)), weekdays=(0, 1, 2, 3, 4))
    make.professional(second, hours=(time(11), time(12)), weekdays=(0, 1, 2, 3, 4))
    snapshot_figures(now=at(monday, 8))
    assert row(monday, "service", first.id).t3_days == 2
    assert row(monday, "service", second.id).t3_days == 2
    # Mon 9, Mon 11, Tue 9.
    assert row(monday, "unit", unit.id).t3_days == 1


def test_scheduled_form_measures_each_organisation_once_a_day(app: Flask, make: Factories) -> None:
    service = make.service()
    make.professional(service)
    first = nightly_figures()
    db.session.commit()
    assert first.organisations == 1 and first.access_rows == 2
    measured = db.session.scalars(select(FigureSnapshot.measured_at)).all()
    second = nightly_figures()
    assert second.organisations == 0
    assert db.session.scalars(select(FigureSnapshot.measured_at)).all() == measured
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(FigureSnapshot)
            .where(FigureSnapshot.measured_at.is_not(None))
        )
        == 2
    )
    assert db.session.get(Organisation, service.organisation_id) is not None
    assert db.session.get(Unit, service.unit_id) is not None
    assert db.session.get(Service, service.id) is not None


def test_both_jobs_are_registered_and_take_no_arguments(app: Flask) -> None:
    from scheduler.jobs import all_jobs

    jobs = {job.name: job for job in all_jobs()}
    assert jobs["snapshot_figures"].func is nightly_figures
    assert jobs["queue_feedback_requests"].seconds <= 900
    for name in ("snapshot_figures", "queue_feedback_requests"):
        jobs[name].func()
