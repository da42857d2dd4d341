"""The staff pages' database paths on PostgreSQL: access-log rows in the request's
transaction, a refused request's denied row, and the retention job's row locking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from scheduler.booking.retention import purge_personal_data
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import AccessLogEntry, Booking
from scheduler.staff.blueprint import SESSION_KEY
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local

pytestmark = pytest.mark.postgres


def test_reads_refusals_and_retention_on_postgres(pg_app: Flask, make: Factories) -> None:
    staff = Staff(make)
    service = make.service()
    mine, theirs = make.professional(service), make.professional(service)
    own = staff.booking(service, mine, at_local(1, 10))
    other = staff.booking(service, theirs, at_local(1, 12))
    old = staff.booking(service, mine, now_utc() - timedelta(days=800), status="completed")
    user = staff.user("worker", professional=mine)
    db.session.commit()
    client = pg_app.test_client()
    with client.session_transaction() as session:
        session[SESSION_KEY] = user.id
    assert client.get(f"/staff/bookings/{own.id}").status_code == 200
    assert client.get(f"/staff/bookings/{other.id}").status_code == 403
    assert purge_personal_data() == 1
    db.session.commit()
    entries = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq)).all()
    assert [(e.action, e.result) for e in entries] == [
        ("booking.read", "ok"),
        ("booking.read", "denied"),
        ("booking.personal_data_removed", "ok"),
    ]
    cleaned = db.session.get(Booking, old.id)
    assert cleaned is not None and cleaned.client_name is None
    result = pg_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
