"""An administrator makes a service a team service: two groups of workers, one of each
meeting the family together; a team whose group is empty is refused and nothing saved."""

from __future__ import annotations

from datetime import time

from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date
from scheduler.models import Service
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local
from tests.staff.test_admin import service_form


def test_a_service_is_made_a_team_of_two_groups_and_back(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    social = make.professional(make.service(unit), name="Sari")
    counsellor = make.professional(make.service(unit), name="Pekka")
    sign_in(staff.user("org_admin", unit=unit))
    form = service_form(
        unit.id, social.id, team="1", team_members=[str(counsellor.id)], reminders="default"
    )

    response = client.post("/staff/admin/services/new?lang=en", data=form)

    assert response.status_code == 302, response.get_data(as_text=True)
    service = db.session.scalar(select(Service).where(Service.slug == "perheneuvola"))
    assert service is not None
    assert [[p.id for p in pool.members] for pool in service.pools] == [
        [social.id],
        [counsellor.id],
    ]
    assert {p.id for p in service.professionals} == {social.id, counsellor.id}
    page = client.get(f"/staff/admin/services/{service.id}?lang=en").get_data(as_text=True)
    assert 'id="team" name="team" value="1" checked' in page
    assert f'name="team_members" value="{counsellor.id}" checked' in page
    assert f'name="professionals" value="{counsellor.id}" checked' not in page

    form.pop("team")
    assert client.post(f"/staff/admin/services/{service.id}", data=form).status_code == 302
    db.session.expire_all()
    assert service.pools == []


def test_a_team_service_whose_group_is_empty_is_refused_and_nothing_saved(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    social = make.professional(make.service(unit))
    sign_in(staff.user("org_admin", unit=unit))
    form = service_form(unit.id, social.id, team="1", reminders="default")

    response = client.post("/staff/admin/services/new?lang=en", data=form)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<a href="#team_members">A team service needs at least one worker in each group.' in page
    assert db.session.scalar(select(Service).where(Service.slug == "perheneuvola")) is None


def test_find_a_time_shows_a_team_time_once_with_both_workers(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    service = make.service(unit, duration_min=60, slot_interval_min=60)
    social = make.professional(service, name="Sari Sosiaali", hours=(time(8), time(12)))
    counsellor = make.professional(service, name="Pekka Perhe", hours=(time(10), time(14)))
    make.pool(service, [social])
    make.pool(service, [counsellor])
    sign_in(staff.user("unit_admin", unit=unit))
    day = local_date(at_local(3, 9), HELSINKI).isoformat()

    html = client.get(f"/staff/find?date={day}&part=morning&service={service.id}").get_data(
        as_text=True
    )

    assert html.count("Sari Sosiaali + Pekka Perhe") == 2  # 10.00 and 11.00
    assert "klo 10.00" in html and "klo 11.00" in html
    assert "klo 8.00" not in html and "klo 9.00" not in html
    assert f"professional={counsellor.id}" not in html  # booked through the first pool's worker
