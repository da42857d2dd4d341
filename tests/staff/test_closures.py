"""Holidays and closures on the administration pages: adding a closure lists the bookings
that fall on it, bad input changes nothing, and each role reaches only its own."""

from __future__ import annotations

from datetime import date, timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date, now_utc
from scheduler.models import AccessLogEntry, Closure, Organisation
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local


def local_today() -> date:
    """Today in Helsinki (after 22.00 UTC it is already tomorrow there)."""
    return local_date(now_utc(), HELSINKI)


def closure_form(day: date, **override: str) -> dict[str, str]:
    form = {
        "scope": "organisation",
        "day": day.isoformat(),
        "start_time": "",
        "end_time": "",
        "reason-fi": "Henkilöstön koulutuspäivä",
        "reason-sv": "Personalens utbildningsdag",
        "reason-en": "Staff training day",
    }
    form.update(override)
    return form


def closure_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Closure)) or 0


def test_adding_a_closure_lists_the_bookings_on_it_with_the_familys_number(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    service = make.service(unit)
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(4, 10), client_phone="+358401112223")
    sign_in(staff.user("org_admin", unit=unit))
    added = client.post("/staff/admin/closures", data=closure_form(local_today() + timedelta(4)))
    assert added.status_code == 302, added.get_data(as_text=True)[:1500]
    page = client.get(added.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"/staff/bookings/{booking.id}" in html
    assert "+358401112223" in html and "Maija Meikäläinen" in html
    logged = db.session.scalars(
        select(AccessLogEntry.action).where(AccessLogEntry.target == f"booking:{booking.id}")
    ).all()
    assert "closure.bookings_read" in logged


def test_a_half_day_closure_lists_only_the_bookings_in_its_part(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    service = make.service(unit)
    pro = make.professional(service)
    morning = staff.booking(service, pro, at_local(4, 9))
    afternoon = staff.booking(service, pro, at_local(4, 13))
    sign_in(staff.user("org_admin", unit=unit))
    added = client.post(
        "/staff/admin/closures",
        data=closure_form(local_today() + timedelta(4), start_time="12.00"),
    )
    assert added.status_code == 302
    html = client.get(added.headers["Location"]).get_data(as_text=True)
    assert f"/staff/bookings/{afternoon.id}" in html
    assert f"/staff/bookings/{morning.id}" not in html


def test_a_closure_in_the_past_or_ending_before_it_starts_changes_nothing(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    sign_in(staff.user("org_admin", unit=unit))
    past = client.post("/staff/admin/closures", data=closure_form(local_today() - timedelta(1)))
    backwards = client.post(
        "/staff/admin/closures",
        data=closure_form(local_today() + timedelta(3), start_time="14.00", end_time="12.00"),
    )
    nonsense = client.post(
        "/staff/admin/closures", data={**closure_form(local_today()), "day": "24.12."}
    )
    assert (past.status_code, backwards.status_code, nonsense.status_code) == (422, 422, 422)
    assert "A closure must be today or later." in past.get_data(as_text=True)
    assert closure_count() == 0


def test_a_unit_admin_closes_only_their_own_unit(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    other = make.unit(unit.organisation)
    sign_in(staff.user("unit_admin", unit=unit))
    day = local_today() + timedelta(3)
    whole = client.post("/staff/admin/closures", data=closure_form(day))
    elsewhere = client.post("/staff/admin/closures", data=closure_form(day, scope=str(other.id)))
    own = client.post("/staff/admin/closures", data=closure_form(day, scope=str(unit.id)))
    assert (whole.status_code, elsewhere.status_code, own.status_code) == (422, 422, 302)
    assert db.session.scalars(select(Closure.unit_id)).all() == [unit.id]


def test_a_unit_admin_sees_but_cannot_remove_an_organisation_wide_closure(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    sign_in(staff.user("org_admin", unit=unit))
    added = client.post("/staff/admin/closures", data=closure_form(local_today() + timedelta(3)))
    path = added.headers["Location"]
    sign_in(staff.user("unit_admin", unit=unit))
    assert client.get(path).status_code == 200
    assert client.post(f"{path}/remove").status_code == 403
    assert closure_count() == 1


def test_another_organisations_closure_is_not_found(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    sign_in(staff.user("org_admin", unit=unit))
    added = client.post("/staff/admin/closures", data=closure_form(local_today() + timedelta(3)))
    path = added.headers["Location"]
    sign_in(staff.user("org_admin", unit=make.unit()))
    assert client.get(path).status_code == 404
    assert client.post(f"{path}/remove").status_code == 404
    assert closure_count() == 1


def test_an_admin_removes_a_closure(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    sign_in(staff.user("org_admin", unit=unit))
    added = client.post("/staff/admin/closures", data=closure_form(local_today() + timedelta(3)))
    removed = client.post(f"{added.headers['Location']}/remove")
    assert removed.status_code == 302
    assert closure_count() == 0


def test_the_holidays_are_named_in_the_pages_language_with_alands_own_day(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit(make.organisation(holiday_region="01"))
    sign_in(staff.user("org_admin", unit=unit))
    swedish = client.get("/staff/admin/closures?lang=sv").get_data(as_text=True)
    finnish = client.get("/staff/admin/closures?lang=fi").get_data(as_text=True)
    assert "Juldagen" in swedish and "Ålands självstyrelsedag" in swedish
    assert "Joulupäivä" in finnish


def test_the_organisation_chooses_alands_holidays_and_a_unit_stays_open(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit(open_on_holidays=False)
    sign_in(staff.user("org_admin", unit=unit))
    saved = client.post(
        "/staff/admin/organisation",
        data={
            "name-fi": "Ålands kommunförbund",
            "name-sv": "Ålands kommunförbund",
            "name-en": "Åland municipalities",
            "timezone": "Europe/Mariehamn",
            "languages": ["sv", "fi"],
            "quiet_start": "21",
            "quiet_end": "8",
            "stale_policy": "withhold",
            "holiday_region": "01",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:1500]
    kept = client.post(
        f"/staff/admin/units/{unit.id}",
        data={
            "name-fi": "Päivystys",
            "name-sv": "Jour",
            "name-en": "On call",
            "open_on_holidays": "1",
        },
    )
    assert kept.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, unit.organisation_id)
    assert org is not None and org.holiday_region == "01"
    assert unit.open_on_holidays is True


def test_a_worker_cannot_open_the_closures(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    pro = make.professional(make.service())
    sign_in(staff.user("worker", professional=pro))
    assert client.get("/staff/admin/closures").status_code == 403
