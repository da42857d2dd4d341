"""The administrators' figure pages: charts with titles, descriptions and tables, the
organisation and role scoping, the period chooser, the exact CSV, and logged comments."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.kernel import local_date, now_utc
from scheduler.models import (
    AccessLogEntry,
    Feedback,
    FigureSnapshot,
    Service,
    StaffUser,
    Unit,
)
from tests.catalogues import compile_figures_catalogues
from tests.factories import Factories
from tests.staff.conftest import Staff

SignIn = Callable[[StaffUser], FlaskClient]

D1 = date(2026, 3, 2)
D2 = date(2026, 3, 3)
PERIOD = "start=2026-03-02&end=2026-03-03"


def snapshot(day: date, unit: Unit, service: Service | None, **values: object) -> None:
    scope = "service" if service else "unit"
    db.session.add(
        FigureSnapshot(
            organisation_id=unit.organisation_id,
            day=day,
            scope=scope,
            subject_id=service.id if service else unit.id,
            unit_id=unit.id,
            service_id=service.id if service else None,
            **values,
        )
    )


def full(
    day: date,
    t3: int | None,
    free: int,
    booked: int,
    bookings: int,
    held: int,
    video: int,
    phone: int,
    feedback: tuple[int, int] = (0, 0),
) -> dict[str, object]:
    now = now_utc()
    return {
        "measured_at": now,
        "t3_days": t3,
        "free_times": free,
        "booked_times": booked,
        "activity_at": now,
        "bookings": bookings,
        "cancelled_by_client": 1,
        "cancelled_by_staff": 0,
        "cancelled_by_system": 0,
        "held": held,
        "no_shows": 1,
        "unmarked": 0,
        "video": video,
        "phone": phone,
        "feedback_count": feedback[0],
        "feedback_sum": feedback[1],
    }


@pytest.fixture
def org_setup(app: Flask, make: Factories) -> dict[str, object]:
    org = make.organisation()
    unit = make.unit(org, name={"fi": "Perhekeskus", "en": "Family centre"})
    service = make.service(unit, name={"fi": "Lastenvalvoja", "en": "Child supervisor"})
    other_unit = make.unit(org, name={"fi": "=Aikuissosiaalityö"})
    other_service = make.service(other_unit, name={"fi": "Sosiaaliohjaus"})
    snapshot(D1, unit, service, **full(D1, 3, 40, 12, 5, 3, 2, 2, (2, 9)))
    snapshot(D2, unit, service, **full(D2, None, 38, 14, 2, 1, 1, 1))
    snapshot(D1, unit, None, **full(D1, 2, 40, 12, 5, 3, 2, 2, (2, 9)))
    snapshot(D2, unit, None, **full(D2, 4, 38, 14, 2, 1, 1, 1))
    snapshot(D1, other_unit, other_service, **full(D1, 7, 5, 1, 1, 0, 0, 0))
    snapshot(D1, other_unit, None, **full(D1, 7, 5, 1, 1, 0, 0, 0))
    db.session.flush()
    return {
        "org": org,
        "unit": unit,
        "service": service,
        "other_unit": other_unit,
        "other_service": other_service,
    }


def test_org_admin_sees_every_chart_with_its_title_description_and_table(
    client: FlaskClient, staff: Staff, sign_in: SignIn, org_setup: dict
) -> None:
    compile_figures_catalogues()
    unit = org_setup["unit"]
    sign_in(staff.user("org_admin", unit=unit))
    page = client.get(f"/staff/figures?{PERIOD}&subject=unit-{unit.id}&lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    svgs = re.findall(r"<svg class=\"chart[^>]*>", html)
    assert len(svgs) == 6
    for tag in svgs:
        assert 'role="img"' in tag and "aria-labelledby=" in tag
    assert html.count("<title id=") == 6 and html.count("<desc id=") == 6
    assert html.count("<caption id=") == 6 + 1  # and the overview table
    assert "style=" not in html and "<script" not in html
    # The T3 table of the unit: 2 and 4 days, no day without a third free time.
    t3_table = html.split(f'id="unit-{unit.id}-t3-caption"')[1].split("</table>")[0]
    assert re.findall(r"<td>([^<]*)</td>", t3_table) == ["2", "0", "4", "0"]
    # The overview has both units and both services, the other unit's name as written.
    assert "Family centre: Child supervisor" in html and "=Aikuissosiaalityö" in html
    assert "Average feedback" in html and "4.5" in html


def test_period_and_subject_choose_what_is_shown(
    client: FlaskClient, staff: Staff, sign_in: SignIn, org_setup: dict
) -> None:
    service = org_setup["service"]
    sign_in(staff.user("org_admin", unit=org_setup["unit"]))
    page = client.get(
        f"/staff/figures?start=2026-03-03&end=2026-03-03&subject=service-{service.id}&lang=fi"
    )
    html = page.get_data(as_text=True)
    t3_table = html.split(f'id="service-{service.id}-t3-caption"')[1].split("</table>")[0]
    # 3.3.: no third free time that day.
    assert re.findall(r"<td>([^<]*)</td>", t3_table) == ["–", "1"]
    assert 'value="2026-03-03"' in html


@pytest.mark.parametrize(
    "query",
    ["start=2026-03-05&end=2026-03-01", "start=31.12.2025", "start=2024-01-01&end=2026-01-01"],
)
def test_bad_period_is_explained(
    client: FlaskClient, staff: Staff, sign_in: SignIn, org_setup: dict, query: str
) -> None:
    compile_figures_catalogues()
    sign_in(staff.user("org_admin", unit=org_setup["unit"]))
    page = client.get(f"/staff/figures?{query}&lang=en")
    assert page.status_code == 422
    assert 'class="error-summary"' in page.get_data(as_text=True)
    assert client.get(f"/staff/figures/figures.csv?{query}").status_code == 422


def test_csv_has_one_exact_row_per_day_and_subject(
    client: FlaskClient, staff: Staff, sign_in: SignIn, org_setup: dict
) -> None:
    unit, service = org_setup["unit"], org_setup["service"]
    other_unit, other_service = org_setup["other_unit"], org_setup["other_service"]
    sign_in(staff.user("org_admin", unit=unit))
    response = client.get(f"/staff/figures/figures.csv?{PERIOD}&lang=en")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="figures-2026-03-02-2026-03-03.csv"'
    )
    u, s, ou, os_ = unit.id, service.id, other_unit.id, other_service.id
    assert response.get_data(as_text=True) == (
        "date,level,unit_id,unit,service_id,service,t3_days,free_times_28d,booked_times_28d,"
        "bookings,cancelled_by_client,cancelled_by_staff,cancelled_by_system,held,no_shows,"
        "unmarked,video,phone,feedback_count,feedback_average\r\n"
        f"2026-03-02,unit,{u},Family centre,,,2,40,12,5,1,0,0,3,1,0,2,2,2,4.50\r\n"
        f"2026-03-02,service,{u},Family centre,{s},Child supervisor,3,40,12,5,1,0,0,3,1,0,2,2,2,"
        "4.50\r\n"
        f"2026-03-02,unit,{ou},'=Aikuissosiaalityö,,,7,5,1,1,1,0,0,0,1,0,0,0,0,\r\n"
        f"2026-03-02,service,{ou},'=Aikuissosiaalityö,{os_},Sosiaaliohjaus,7,5,1,1,1,0,0,0,1,0,"
        "0,0,0,\r\n"
        f"2026-03-03,unit,{u},Family centre,,,4,38,14,2,1,0,0,1,1,0,1,1,0,\r\n"
        f"2026-03-03,service,{u},Family centre,{s},Child supervisor,,38,14,2,1,0,0,1,1,0,1,1,0,"
        "\r\n"
    )
    # Anonymous counts only: the download is not an access to client data.
    assert db.session.scalars(select(AccessLogEntry)).all() == []


def test_unit_admin_sees_own_unit_only(
    client: FlaskClient, staff: Staff, sign_in: SignIn, org_setup: dict
) -> None:
    unit, other_unit = org_setup["unit"], org_setup["other_unit"]
    sign_in(staff.user("unit_admin", unit=unit))
    page = client.get(f"/staff/figures?{PERIOD}&lang=en")
    assert page.status_code == 200
    assert "Family centre" in page.get_data(as_text=True)
    assert "Aikuissosiaalityö" not in page.get_data(as_text=True)
    assert client.get(f"/staff/figures?subject=unit-{other_unit.id}").status_code == 403
    other_service = org_setup["other_service"]
    assert client.get(f"/staff/figures?subject=service-{other_service.id}").status_code == 403
    csv_text = client.get(f"/staff/figures/figures.csv?{PERIOD}").get_data(as_text=True)
    assert len(csv_text.strip().splitlines()) == 1 + 4
    assert "Aikuissosiaalityö" not in csv_text


def test_another_organisation_sees_nothing_of_it(
    client: FlaskClient, make: Factories, staff: Staff, sign_in: SignIn, org_setup: dict
) -> None:
    stranger_unit = make.unit(make.organisation())
    sign_in(staff.user("org_admin", unit=stranger_unit))
    unit, service = org_setup["unit"], org_setup["service"]
    assert client.get(f"/staff/figures?subject=unit-{unit.id}").status_code == 404
    assert client.get(f"/staff/figures?subject=service-{service.id}").status_code == 404
    assert client.get("/staff/figures?subject=unit-x").status_code == 404
    page = client.get(f"/staff/figures?{PERIOD}&lang=en").get_data(as_text=True)
    assert "Family centre" not in page
    csv_text = client.get(f"/staff/figures/figures.csv?{PERIOD}").get_data(as_text=True)
    assert csv_text.count("\r\n") == 1


def test_workers_and_strangers_are_kept_out(
    client: FlaskClient, make: Factories, staff: Staff, sign_in: SignIn, org_setup: dict
) -> None:
    assert client.get("/staff/figures").status_code == 302  # to the sign-in page
    pro = make.professional(org_setup["service"])
    sign_in(staff.user("worker", professional=pro))
    assert client.get("/staff/figures").status_code == 403
    assert client.get(f"/staff/figures/figures.csv?{PERIOD}").status_code == 403


def test_comments_are_shown_to_admins_and_each_showing_is_logged(
    client: FlaskClient, staff: Staff, sign_in: SignIn, org_setup: dict
) -> None:
    unit, service = org_setup["unit"], org_setup["service"]
    db.session.add(
        Feedback(
            organisation_id=unit.organisation_id,
            unit_id=unit.id,
            service_id=service.id,
            received_on=D1,
            rating=5,
            comment="Kiitos avusta <3",
        )
    )
    sign_in(staff.user("org_admin", unit=unit))
    html = client.get(f"/staff/figures?{PERIOD}&subject=unit-{unit.id}&lang=en").get_data(
        as_text=True
    )
    assert "Kiitos avusta &lt;3" in html
    (entry,) = db.session.scalars(select(AccessLogEntry)).all()
    assert (entry.action, entry.target, entry.client_ref) == (
        "feedback.comments.read",
        f"unit-{unit.id}",
        None,
    )
    # The comment never goes into the CSV file.
    csv_text = client.get(f"/staff/figures/figures.csv?{PERIOD}").get_data(as_text=True)
    assert "Kiitos" not in csv_text


def test_default_period_is_the_last_four_weeks(
    client: FlaskClient, staff: Staff, sign_in: SignIn, org_setup: dict
) -> None:
    sign_in(staff.user("org_admin", unit=org_setup["unit"]))
    html = client.get("/staff/figures?lang=en").get_data(as_text=True)
    # The organisation's own date: between 22 and 24 UTC, Helsinki is already on the next one.
    today = local_date(now_utc(), org_setup["unit"].organisation.zone)
    assert f'value="{(today - timedelta(days=27)).isoformat()}"' in html
    assert "There are no figures for this period yet." in html


def test_page_says_when_figures_were_last_computed_and_when_next(
    client: FlaskClient, staff: Staff, sign_in: SignIn, make: Factories
) -> None:
    compile_figures_catalogues()
    org = make.organisation()
    unit = make.unit(org, name={"fi": "Perhekeskus"})
    sign_in(staff.user("org_admin", unit=unit))
    html = client.get("/staff/figures?lang=fi").get_data(as_text=True)
    assert "Lukuja ei ole vielä laskettu." in html
    assert "Seuraava laskenta: tänään vartin kuluessa" in html
    today = local_date(now_utc(), org.zone)
    computed = now_utc() - timedelta(minutes=5)
    snapshot(today, unit, None, measured_at=computed, free_times=3)
    db.session.commit()
    html = client.get("/staff/figures?lang=fi").get_data(as_text=True)
    local = computed.astimezone(org.zone)
    assert f"Laskettu viimeksi: {local.day}.{local.month}.{local.year} klo {local.hour}." in html
    tomorrow = today + timedelta(days=1)
    assert (
        f"Seuraava laskenta: {tomorrow.day}.{tomorrow.month}.{tomorrow.year} pian puolenyön" in html
    )


def test_demo_has_a_history_of_figures(client: FlaskClient, staff: Staff, sign_in: SignIn) -> None:
    from scheduler.demo import create_demo
    from scheduler.models import Organisation

    compile_figures_catalogues()
    create_demo()
    db.session.commit()
    org = db.session.scalars(select(Organisation).where(Organisation.slug == "tunturikyla")).one()
    unit = org.units[0]
    sign_in(staff.user("org_admin", unit=unit))
    html = client.get(f"/staff/figures?lang=fi&subject=unit-{unit.id}").get_data(as_text=True)
    totals = html.split('class="figures-totals"')[1].split("</table>")[0]
    cells = re.findall(r"<td>([^<(]*)", totals)
    assert cells and sum(cell.strip() == "–" for cell in cells) == 0
    assert "Laskettu viimeksi:" in html
