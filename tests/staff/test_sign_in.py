"""Development sign-in (only when enabled, with a banner), signing out, and CSRF."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import StaffUser
from scheduler.schema import create_all
from tests.conftest import make_app
from tests.factories import Factories
from tests.staff.conftest import Staff

BANNER = "Development sign-in is on"


def test_development_sign_in_is_off_unless_enabled(
    app: Flask, client: FlaskClient, make: Factories, staff: Staff
) -> None:
    user = staff.user("org_admin")
    db.session.commit()
    page = client.get("/staff/login?lang=en").get_data(as_text=True)
    assert BANNER not in page and "/staff/login/dev" not in page
    assert client.post("/staff/login/dev", data={"who": f"user:{user.id}"}).status_code == 404
    assert client.get("/staff/agenda").status_code == 302


def test_development_sign_in_when_enabled_shows_a_banner_on_every_page(
    app: Flask, client: FlaskClient, make: Factories, staff: Staff
) -> None:
    app.config["DEV_LOGIN"] = True
    pro = make.professional(make.service())
    db.session.commit()
    login = client.get("/staff/login?lang=en").get_data(as_text=True)
    assert BANNER in login and f"pro:{pro.id}" in login
    response = client.post("/staff/login/dev", data={"who": f"pro:{pro.id}"})
    assert response.status_code == 302
    for url in ("/staff/agenda", f"/staff/availability/{pro.id}"):
        assert BANNER in client.get(url + "?lang=en").get_data(as_text=True)
    user = db.session.scalar(select(StaffUser).where(StaffUser.professional_id == pro.id))
    assert user is not None and user.role == "worker"


def test_dev_login_flag_from_the_environment_is_read_as_true(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ETAAIKA_DEV_LOGIN", "true")
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'env.db'}")
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        page = app.test_client().get("/staff/login?lang=en").get_data(as_text=True)
        assert BANNER in page
        db.session.remove()
        db.engine.dispose()


def test_sign_out_ends_the_session(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    sign_in(staff.user("org_admin"))
    assert client.get("/staff/admin").status_code == 200
    assert client.post("/staff/logout").status_code == 302
    assert client.get("/staff/admin").status_code == 302


def test_closed_account_is_signed_out_at_the_next_request(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    user = staff.user("org_admin")
    sign_in(user)
    user.active = False
    db.session.commit()
    assert client.get("/staff/admin").status_code == 302


def test_staff_forms_refuse_a_post_without_the_csrf_token(tmp_path: Path, make: Factories) -> None:
    app = make_app(
        tmp_path, f"sqlite:///{tmp_path / 'csrf.db'}", WTF_CSRF_ENABLED=True, DEV_LOGIN=True
    )
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        user = Staff(make).user("org_admin")
        db.session.commit()
        client = app.test_client()
        assert client.post("/staff/login/dev", data={"who": f"user:{user.id}"}).status_code == 400
        page = client.get("/staff/login").get_data(as_text=True)
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            "/staff/login/dev", data={"who": f"user:{user.id}", "csrf_token": token}
        )
        assert response.status_code == 302
        names = {"name-fi": "A", "name-sv": "B", "name-en": "C"}
        assert client.post("/staff/admin/units", data=names).status_code == 400
        db.session.remove()
        db.engine.dispose()


def test_first_administrator_is_created_from_the_command_line(app: Flask, make: Factories) -> None:
    org = make.organisation(slug="lappi")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "staff-account",
            "--organisation",
            "lappi",
            "--email",
            "Admin@Lappi.example",
            "--name",
            "Pää Käyttäjä",
        ]
    )
    assert result.exit_code == 0, result.output
    account = db.session.scalar(select(StaffUser).where(StaffUser.organisation_id == org.id))
    assert account is not None and account.role == "org_admin"
    assert account.email == "admin@lappi.example"
    again = runner.invoke(
        args=[
            "staff-account",
            "--organisation",
            "lappi",
            "--email",
            "admin@lappi.example",
            "--name",
            "Toinen",
        ]
    )
    assert again.exit_code != 0 and "already has an account" in again.output
