"""The retention job removes personal data past the retention period and keeps figures."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from scheduler.booking.retention import purge_personal_data
from scheduler.extensions import db
from scheduler.jobs import all_jobs
from scheduler.kernel import now_utc
from scheduler.models import AccessLogEntry, Booking
from tests.factories import Factories
from tests.staff.conftest import Staff


def test_old_bookings_lose_personal_data_and_keep_their_figures(
    app: Flask, make: Factories, staff: Staff
) -> None:
    app.config["RETENTION_DAYS"] = 30
    service = make.service()
    pro = make.professional(service)
    old = staff.booking(
        service,
        pro,
        now_utc() - timedelta(days=40),
        status="completed",
        intake_answers={"topic": "custody"},
        identity_subject="FI-1",
        identity_name="Maija",
        cancel_reason=None,
        manage_token_hash="h" * 64,
    )
    recent = staff.booking(service, pro, now_utc() - timedelta(days=10), status="no_show")
    assert purge_personal_data() == 1
    db.session.commit()
    db.session.expire_all()
    cleaned = db.session.get(Booking, old.id)
    assert cleaned is not None
    assert (cleaned.client_name, cleaned.client_email, cleaned.client_phone) == (None, None, None)
    assert cleaned.intake_answers == {} and cleaned.identity_subject is None
    assert cleaned.identity_name is None and cleaned.manage_token_hash is None
    assert cleaned.personal_data_removed_at is not None
    # What the figures need stays.
    assert (cleaned.status, cleaned.service_id, cleaned.professional_id) == (
        "completed",
        service.id,
        pro.id,
    )
    assert cleaned.start_at == old.start_at and cleaned.language == "fi"
    kept = db.session.get(Booking, recent.id)
    assert kept is not None and kept.client_name == "Maija Meikäläinen"
    actions = db.session.scalars(select(AccessLogEntry.action)).all()
    assert actions == ["booking.personal_data_removed"]


def test_running_again_changes_nothing(app: Flask, make: Factories, staff: Staff) -> None:
    app.config["RETENTION_DAYS"] = 30
    service = make.service()
    pro = make.professional(service)
    staff.booking(service, pro, now_utc() - timedelta(days=100), status="completed")
    assert purge_personal_data() == 1
    assert purge_personal_data() == 0
    assert db.session.scalar(select(func.count()).select_from(AccessLogEntry)) == 1


def test_the_job_is_registered() -> None:
    assert "purge_personal_data" in {job.name for job in all_jobs()}
