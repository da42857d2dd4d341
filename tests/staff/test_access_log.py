"""The access log of the staff pages: a row for every read or change of client data, in
the same transaction; per-client CSV export; tampering found by `audit verify`."""

from __future__ import annotations

import csv
import io
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from scheduler import audit
from scheduler.extensions import db
from scheduler.models import AccessLogEntry
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local


def rows(org_id: int) -> list[AccessLogEntry]:
    return list(
        db.session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.organisation_id == org_id)
            .order_by(AccessLogEntry.seq)
        )
    )


def test_opening_a_booking_writes_who_what_when_from_where(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(1, 10), client_email="Perhe@Example.org")
    user = staff.user("worker", professional=pro, name="Aino Niemelä")
    sign_in(user)
    page = client.get(f"/staff/bookings/{booking.id}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert page.status_code == 200
    assert "Maija Meikäläinen" in page.get_data(as_text=True)
    (entry,) = rows(booking.organisation_id)
    assert entry.action == "booking.read"
    assert entry.target == f"booking:{booking.id}"
    assert entry.actor == f"Aino Niemelä (staff:{user.id})"
    assert entry.role == "worker"
    assert entry.source == "10.1.2.3"
    assert entry.result == "ok"
    assert entry.client_ref == audit.client_ref("perhe@example.org")


def test_agenda_logs_one_row_per_booking_whose_client_it_shows(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    first = staff.booking(service, pro, at_local(1, 9), client_email="a@example.org")
    second = staff.booking(service, pro, at_local(1, 11), client_email="b@example.org")
    staff.booking(service, pro, at_local(9, 11), client_email="later@example.org")
    sign_in(staff.user("worker", professional=pro))
    day = at_local(1, 9).astimezone(pro.organisation.zone).date().isoformat()
    page = client.get(f"/staff/agenda?date={day}")
    assert page.status_code == 200
    logged = rows(service.organisation_id)
    assert [(e.action, e.target) for e in logged] == [
        ("agenda.read", f"booking:{first.id}"),
        ("agenda.read", f"booking:{second.id}"),
    ]


def test_a_refused_request_leaves_a_denied_row_and_nothing_else(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    mine, theirs = make.professional(service), make.professional(service)
    booking = staff.booking(service, theirs, at_local(1, 10))
    sign_in(staff.user("worker", professional=mine))
    assert (
        client.post(
            f"/staff/bookings/{booking.id}/cancel", data={"reason": "not mine to cancel"}
        ).status_code
        == 403
    )
    db.session.expire_all()
    (entry,) = rows(service.organisation_id)
    assert (entry.action, entry.result) == ("booking.cancel", "denied")
    assert db.session.get(type(booking), booking.id).status == "confirmed"


def test_admin_exports_one_clients_log_as_csv(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    theirs = staff.booking(
        service,
        pro,
        at_local(1, 10),
        client_email="oma@example.org",
        client_phone="+358401111111",
        identity_subject="FI-210281-9988",
    )
    other = staff.booking(
        service,
        pro,
        at_local(1, 12),
        client_email="toinen@example.org",
        client_phone="+358402222222",
    )
    worker = staff.user("worker", professional=pro)
    admin = staff.user("org_admin", unit=service.unit, name="Pääkäyttäjä")
    sign_in(worker)
    client.get(f"/staff/bookings/{theirs.id}")
    client.get(f"/staff/bookings/{other.id}")
    sign_in(admin)
    for identifier in ("oma@example.org", "040 1111111", "FI-210281-9988"):
        response = client.post(
            "/staff/admin/access-log", data={"identifier": identifier, "language": "en"}
        )
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        reads = [r for r in table if r["What was done"] == "Viewed the booking's details"]
        assert [r["To what"] for r in reads] == [f"Booking {theirs.id}"], identifier
        assert reads[0]["In what role"] == "Worker" and reads[0]["Result"] == "Allowed"
    exports = [e for e in rows(service.organisation_id) if e.action == "access_log.export"]
    assert len(exports) == 3 and all(e.actor.startswith("Pääkäyttäjä") for e in exports)


def test_export_is_for_organisation_administrators_only(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    sign_in(staff.user("unit_admin", unit=unit))
    assert (
        client.post("/staff/admin/access-log", data={"identifier": "x@example.org"}).status_code
        == 403
    )


def test_altered_row_is_reported_by_audit_verify(
    app: Flask, client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(1, 10))
    sign_in(staff.user("worker", professional=pro))
    for _ in range(3):
        assert client.get(f"/staff/bookings/{booking.id}").status_code == 200
    runner = app.test_cli_runner()
    intact = runner.invoke(args=["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "intact" in intact.output
    db.session.execute(text("UPDATE access_log SET actor = 'someone else' WHERE seq = 2"))
    db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "row 2 has been altered" in broken.output


def test_removed_row_is_reported_by_audit_verify(
    app: Flask, client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(1, 10))
    sign_in(staff.user("worker", professional=pro))
    for _ in range(3):
        client.get(f"/staff/bookings/{booking.id}")
    db.session.execute(text("DELETE FROM access_log WHERE seq = 2"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "row 2 is missing" in result.output


def test_export_writes_formula_like_cells_as_text(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(1, 10), client_email="kaava@example.org")
    names = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCr"]
    for name in names:
        sign_in(staff.user("worker", professional=pro, name=name))
        client.get(f"/staff/bookings/{booking.id}")
    sign_in(staff.user("org_admin", unit=service.unit, name="Pääkäyttäjä"))
    response = client.post(
        "/staff/admin/access-log", data={"identifier": "kaava@example.org", "language": "en"}
    )
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    actors = [r["Who"] for r in table if r["What was done"] == "Viewed the booking's details"]
    assert len(actors) == len(names)
    for actor, name in zip(actors, names, strict=True):
        assert actor.startswith("'" + name), actor


def test_export_speaks_the_clients_language_and_says_when_nothing_was_found(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = staff.booking(
        service, pro, at_local(1, 10), client_email="svenska@example.org", language="sv"
    )
    sign_in(staff.user("worker", professional=pro))
    client.get(f"/staff/bookings/{booking.id}")
    sign_in(staff.user("org_admin", unit=service.unit))
    response = client.post("/staff/admin/access-log", data={"identifier": "svenska@example.org"})
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.splitlines()[0] == "Tid,Vem,I vilken roll,Vad gjordes,Med vad,Varifrån,Resultat"
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["Vad gjordes"] == "Såg bokningens uppgifter"
    assert row["Med vad"] == f"Bokning {booking.id}" and row["Resultat"] == "Tillåtet"
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} kl\. \d{1,2}\.\d{2}", row["Tid"])

    nothing = client.post(
        "/staff/admin/access-log?lang=fi", data={"identifier": "ei-ketaan@example.org"}
    )
    assert nothing.status_code == 200 and nothing.mimetype == "text/html"
    assert "Lokista ei löytynyt mitään tunnisteella ”ei-ketaan@example.org”" in nothing.text
