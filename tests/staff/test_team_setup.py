"""An administrator makes a service a team service: pools of workers (one to four), one of
each meeting the family together; "More pools" adds a row and a row can be taken out,
without JavaScript; an empty pool, a worker in two pools or too many pools is refused and
nothing saved."""

from __future__ import annotations

from datetime import time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date
from scheduler.models import Professional, Service, Unit
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local
from tests.staff.test_admin import service_form


def _pools_of(slug: str = "perheneuvola") -> list[tuple[dict[str, str], list[int]]]:
    db.session.expire_all()
    service = db.session.scalar(select(Service).where(Service.slug == slug))
    assert service is not None
    return [(pool.name, [p.id for p in pool.members]) for pool in service.pools]


def _three(make: Factories) -> tuple[Unit, list[Professional]]:
    unit = make.unit()
    return unit, [make.professional(make.service(unit), name=n) for n in ("Sari", "Pekka", "Olli")]


def test_a_service_is_made_a_team_of_three_pools_and_back(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit, (social, counsellor, therapist) = _three(make)
    sign_in(staff.user("org_admin", unit=unit))
    form = service_form(
        unit.id,
        social.id,
        team="1",
        reminders="default",
        **{
            "pool-0-name-fi": "Sosiaalityöntekijä",
            "pool-0-name-sv": "Socialarbetare",
            "pool-0-name-en": "Social worker",
            "pool-0-members": str(social.id),
            "pool-1-members": str(counsellor.id),
            "pool-2-members": [str(therapist.id)],
        },
    )

    response = client.post("/staff/admin/services/new?lang=en", data=form)

    assert response.status_code == 302, response.get_data(as_text=True)
    assert _pools_of() == [
        ({"fi": "Sosiaalityöntekijä", "sv": "Socialarbetare", "en": "Social worker"}, [social.id]),
        ({}, [counsellor.id]),
        ({}, [therapist.id]),
    ]
    service = db.session.scalar(select(Service).where(Service.slug == "perheneuvola"))
    assert service is not None
    assert {p.id for p in service.professionals} == {social.id, counsellor.id, therapist.id}
    page = client.get(f"/staff/admin/services/{service.id}?lang=en").get_data(as_text=True)
    assert 'id="team" name="team" value="1" checked' in page
    assert f'name="pool-2-members" value="{therapist.id}" checked' in page
    assert 'value="Socialarbetare"' in page
    assert 'id="pool-3-name-fi"' not in page

    form.pop("team")
    assert client.post(f"/staff/admin/services/{service.id}", data=form).status_code == 302
    assert _pools_of() == []


def test_more_pools_adds_a_row_and_a_row_taken_out_is_dropped(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit, (social, counsellor, therapist) = _three(make)
    service = make.service(unit, slug="tiimi")
    make.pool(service, [social], name={"fi": "Sosiaalityö", "sv": "Socialt", "en": "Social"})
    make.pool(service, [counsellor])
    sign_in(staff.user("org_admin", unit=unit))
    page = client.get(f"/staff/admin/services/{service.id}?lang=fi").get_data(as_text=True)
    assert f'name="pool-1-members" value="{counsellor.id}" checked' in page
    assert 'value="Sosiaalityö"' in page and 'id="pool-2-name-fi"' not in page
    form = service_form(unit.id, social.id, slug="tiimi", team="1", reminders="default")
    form.update({"pool-0-name-fi": "Sosiaalityö", "pool-0-members": str(social.id)})
    form["pool-1-members"] = str(counsellor.id)

    more = client.post(
        f"/staff/admin/services/{service.id}?lang=fi", data={**form, "action": "more_pools"}
    )

    assert more.status_code == 200
    shown = more.get_data(as_text=True)
    assert 'id="pool-2-name-fi"' in shown and "Ryhmä 3" in shown
    assert f'name="pool-1-members" value="{counsellor.id}" checked' in shown
    assert [ids for _name, ids in _pools_of("tiimi")] == [[social.id], [counsellor.id]]

    form.update({"pool-1-remove": "1", "pool-2-members": str(therapist.id)})
    saved = client.post(f"/staff/admin/services/{service.id}", data=form)

    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert _pools_of("tiimi") == [
        ({"fi": "Sosiaalityö"}, [social.id]),
        ({}, [therapist.id]),
    ]


@pytest.mark.parametrize(
    ("rows", "wrong", "message"),
    [
        ({"pool-1-name-fi": "Perheneuvoja"}, "pool-1-members", "at least one worker for this"),
        ({"pool-1-members": "{social}"}, "pool-1-members", "A worker can be in one pool only."),
        ({"pool-0-remove": "1"}, "team", "A team service needs at least one pool."),
        (
            {f"pool-{n}-members": "{counsellor}" for n in range(1, 5)},
            "team",
            "A team service has at most 4 pools.",
        ),
        ({"pool-1-members": "x"}, "pool-1-members", "Choose among the options."),
    ],
)
def test_a_team_whose_pools_are_wrong_is_refused_and_nothing_saved(
    client: FlaskClient,
    make: Factories,
    staff: Staff,
    sign_in,
    rows: dict[str, str],
    wrong: str,
    message: str,
) -> None:
    unit, (social, counsellor, _therapist) = _three(make)
    sign_in(staff.user("org_admin", unit=unit))
    form = service_form(unit.id, social.id, team="1", reminders="default")
    form["pool-0-members"] = str(social.id)
    for key, value in rows.items():
        form[key] = value.format(social=social.id, counsellor=counsellor.id)

    response = client.post("/staff/admin/services/new?lang=en", data=form)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<a href="#{wrong}">' in page and message in page
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
