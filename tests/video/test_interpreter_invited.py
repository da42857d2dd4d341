"""An interpreter invited by the worker joins: in Chromium, the worker adds an interpreter
of the organisation's list on the booking's page, the interpreter opens the join link of
their invitation, waits, is admitted and sees the worker."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

import notifications
from scheduler.booking import interpreters
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import BookingParticipant, Interpreter, StaffUser
from tests.factories import Factories
from tests.video.browser import admit, allow_devices, open_page, wait_frames
from tests.video.helpers import links_for, live_server, video_booking
from video.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _read(query: Any) -> Any:
    # End the read at once: on SQLite every transaction holds the write lock.
    try:
        return db.session.scalar(query)
    finally:
        db.session.rollback()


def test_an_interpreter_invited_by_the_worker_joins(
    browser: Any, app: Flask, make: Factories
) -> None:
    app.config["DEV_LOGIN"] = True
    booking = video_booking(make)
    booking.client_email = "liisa@example.org"
    booking.service.interpreter_languages = ["so"]
    interpreters.record_request(booking, "so")
    listed = Interpreter(
        organisation_id=booking.organisation_id,
        name="Amina Hassan",
        languages=["so"],
        email="amina@tulkit.example",
        active=True,
        created_at=now_utc(),
    )
    user = StaffUser(
        organisation_id=booking.organisation_id,
        unit_id=booking.professional.unit_id,
        professional_id=booking.professional_id,
        role="worker",
        email="anna@kunta.example",
        name="Anna Työntekijä",
        active=True,
        created_at=now_utc(),
    )
    db.session.add_all([listed, user])
    db.session.flush()
    booking_id, uid, listed_id, user_id = booking.id, booking.uid, listed.id, user.id
    with live_server(app) as base:
        links = links_for(booking)  # commits
        staff = open_page(browser, f"{base}/staff/login?lang=fi")
        staff.select_option("#who", f"user:{user_id}")
        staff.locator(".dev-login button[type=submit]").click()
        staff.wait_for_url(f"{base}/staff/agenda")
        staff.goto(f"{base}/staff/bookings/{booking_id}/people")
        assert "Tulkkia ei ole vielä lisätty" in staff.inner_text("#interpreter-need")
        staff.select_option("#interpreter_id", str(listed_id))
        staff.locator("form:has(input[name=source][value=list]) button[type=submit]").click()
        staff.wait_for_selector("table.people td:has-text('Amina Hassan')")
        assert "ja tulkki on lisätty" in staff.inner_text("#interpreter-need")

        added = _read(select(BookingParticipant))
        assert added is not None and added.role == "interpreter"
        sealed = notifications.sealed_secrets(f"booking:{uid}:p{added.id}")
        db.session.rollback()
        assert sealed is not None
        join = sealed["join_url"]  # as the interpreter's invitation carries it
        assert join.startswith(base)

        interpreter = open_page(browser, join)
        allow_devices(interpreter)
        interpreter.click("#continue-btn")
        interpreter.wait_for_selector("#stage-waiting:not([hidden])")

        worker = open_page(browser, links.worker)
        allow_devices(worker)
        worker.click("#continue-btn")
        pid = added.video_participant_id
        worker_pid = _read(select(Participant.id).where(Participant.kind == "worker"))
        worker.wait_for_selector(f"#lobby-list li[data-pid='{pid}']")
        assert "Amina Hassan" in worker.inner_text(f"#lobby-list li[data-pid='{pid}']")
        admit(worker, pid)
        interpreter.wait_for_selector("#stage-call:not([hidden])")
        wait_frames(interpreter, worker_pid)
        wait_frames(worker, pid)
        for page in (staff, interpreter, worker):
            page.context.close()
