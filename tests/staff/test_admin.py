"""Administration: organisation, units, services with every field, workers, accounts."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Professional, Service, StaffUser, Unit
from scheduler.staff.admin_services import service_values
from tests.factories import Factories
from tests.staff.conftest import Staff


def service_form(unit_id: int, pro_id: int, **override: str) -> dict[str, object]:
    form: dict[str, object] = {
        "unit_id": str(unit_id),
        "slug": "perheneuvola",
        "category": "children",
        "name-fi": "Perheneuvola",
        "name-sv": "Familjerådgivning",
        "name-en": "Family guidance",
        "description-fi": "Kuvaus",
        "description-sv": "Beskrivning",
        "description-en": "About",
        "audience-fi": "Perheille",
        "audience-sv": "För familjer",
        "audience-en": "Families",
        "duration_min": "50",
        "slot_interval_min": "10",
        "buffer_before_min": "5",
        "buffer_after_min": "10",
        "min_notice_min": "240",
        "horizon_days": "30",
        "max_per_worker_per_day": "3",
        "identification": "strong",
        "meeting_modes": ["video", "phone"],
        "sensitive": "1",
        "staff_notices": "1",
        "bookable": "1",
        "family_cancels": "1",
        "reminders": "custom",
        "r-0-channel": "sms",
        "r-0-hours": "48",
        "r-1-channel": "email",
        "r-1-hours": "2",
        "question_count": "2",
        "q-0-id": "topic",
        "q-0-kind": "choice",
        "q-0-required": "1",
        "q-0-label-fi": "Aihe?",
        "q-0-label-sv": "Ämne?",
        "q-0-label-en": "Topic?",
        "q-0-options": "school | Koulu | Skola | School\nhome | Koti | Hem | Home",
        "q-1-id": "",
        "professionals": [str(pro_id)],
    }
    form.update(override)
    return form


def test_admin_creates_a_service_with_every_field(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    pro = make.professional(make.service(unit))
    sign_in(staff.user("org_admin", unit=unit))
    response = client.post("/staff/admin/services/new", data=service_form(unit.id, pro.id))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    service = db.session.scalar(select(Service).where(Service.slug == "perheneuvola"))
    assert service is not None
    assert service.name == {
        "fi": "Perheneuvola",
        "sv": "Familjerådgivning",
        "en": "Family guidance",
    }
    assert (
        service.duration_min,
        service.slot_interval_min,
        service.buffer_before_min,
        service.buffer_after_min,
        service.min_notice_min,
        service.horizon_days,
        service.max_per_worker_per_day,
    ) == (50, 10, 5, 10, 240, 30, 3)
    assert service.requires_strong_id and service.sensitive and service.bookable
    assert service.family_cancels
    assert service.meeting_modes == ["video", "phone"] and service.category == "children"
    assert service.reminder_rules == [
        {"channel": "sms", "before_min": 2880},
        {"channel": "email", "before_min": 120},
    ]
    (question,) = service.intake_questions
    assert question["id"] == "topic" and question["required"] is True
    assert question["options"][1] == {
        "value": "home",
        "label": {"fi": "Koti", "sv": "Hem", "en": "Home"},
    }
    assert [p.id for p in service.professionals] == [pro.id]
    # The edit form shows back what was saved.
    values = service_values(service)
    assert values["family_cancels"] == "1"
    assert values["q-0-options"].splitlines()[0] == "school | Koulu | Skola | School"
    assert values["r-0-hours"] == 48
    page = client.get(f"/staff/admin/services/{service.id}").get_data(as_text=True)
    assert "Familjerådgivning" in page and 'value="perheneuvola"' in page


def test_service_texts_are_required_in_all_three_languages(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    pro = make.professional(make.service(unit))
    sign_in(staff.user("org_admin", unit=unit))
    response = client.post(
        "/staff/admin/services/new?lang=en", data=service_form(unit.id, pro.id, **{"name-sv": ""})
    )
    assert response.status_code == 422
    assert 'id="name-sv"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Service).where(Service.slug == "perheneuvola")) is None


def test_default_reminder_rule_is_stored_as_none(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    pro = make.professional(make.service(unit))
    sign_in(staff.user("org_admin", unit=unit))
    client.post(
        "/staff/admin/services/new",
        data=service_form(unit.id, pro.id, reminders="default", identification="anonymous"),
    )
    service = db.session.scalar(select(Service).where(Service.slug == "perheneuvola"))
    assert service is not None
    assert service.reminder_rules is None and not service.requires_strong_id


def test_organisation_settings_are_saved(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    admin = staff.user("org_admin", unit=unit)
    sign_in(admin)
    response = client.post(
        "/staff/admin/organisation",
        data={
            "name-fi": "Lapin hyvinvointialue",
            "name-sv": "Lapplands välfärdsområde",
            "name-en": "Lapland wellbeing services county",
            "timezone": "Europe/Helsinki",
            "languages": ["fi", "sv", "se"],
            "email_from": "ajat@example.org",
            "quiet_start": "22",
            "quiet_end": "7",
            "stale_policy": "warn",
            "name_sensitive": "1",
        },
    )
    assert response.status_code == 302
    org = admin.organisation
    db.session.refresh(org)
    assert org.name["sv"] == "Lapplands välfärdsområde" and org.languages == ["fi", "sv", "se"]
    assert org.settings["sms_quiet_hours"] == [22, 7]
    assert org.settings["calendar_feed_stale_policy"] == "warn"
    assert org.settings["sms_may_name_sensitive_services"] is True
    bad = client.post("/staff/admin/organisation", data={"timezone": "Mars/Olympus"})
    assert bad.status_code == 422


def test_units_are_added_and_renamed(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    sign_in(staff.user("org_admin", unit=unit))
    names = {"name-fi": "Perhekeskus", "name-sv": "Familjecenter", "name-en": "Family centre"}
    assert client.post("/staff/admin/units", data=names).status_code == 302
    new = db.session.scalars(select(Unit).order_by(Unit.id.desc())).first()
    assert new is not None and new.name["sv"] == "Familjecenter"
    renamed = {**names, "name-en": "Family Centre North"}
    assert client.post(f"/staff/admin/units/{new.id}", data=renamed).status_code == 302
    db.session.refresh(new)
    assert new.name["en"] == "Family Centre North"


def test_worker_is_added_with_languages_and_services(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    sign_in(staff.user("unit_admin", unit=service.unit))
    response = client.post(
        "/staff/admin/workers/new",
        data={
            "name": "Ánde Magga",
            "title-fi": "sosiaalityöntekijä",
            "title-sv": "socialarbetare",
            "title-en": "social worker",
            "email": "Ande@Example.org",
            "unit_id": str(service.unit_id),
            "languages": ["fi", "se"],
            "services": [str(service.id)],
            "active": "1",
        },
    )
    assert response.status_code == 302
    pro = db.session.scalar(select(Professional).where(Professional.name == "Ánde Magga"))
    assert pro is not None and pro.languages == ["fi", "se"] and pro.email == "ande@example.org"
    assert [s.id for s in pro.services] == [service.id]


def test_unit_admin_cannot_grant_the_organisation_admin_role(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    sign_in(staff.user("unit_admin", unit=unit))
    response = client.post(
        "/staff/admin/accounts/new",
        data={
            "name": "Uusi",
            "email": "uusi@example.org",
            "role": "org_admin",
            "active": "1",
        },
    )
    assert response.status_code == 422
    assert db.session.scalar(select(StaffUser).where(StaffUser.email == "uusi@example.org")) is None
    ok = client.post(
        "/staff/admin/accounts/new",
        data={
            "name": "Uusi",
            "email": "Uusi@example.org",
            "role": "worker",
            "active": "1",
            "unit_id": str(unit.id),
        },
    )
    assert ok.status_code == 302
    account = db.session.scalar(select(StaffUser).where(StaffUser.email == "uusi@example.org"))
    assert account is not None and account.unit_id == unit.id and account.role == "worker"


def test_admin_cannot_lower_their_own_role(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    admin = staff.user("org_admin", unit=unit)
    sign_in(admin)
    response = client.post(
        f"/staff/admin/accounts/{admin.id}",
        data={
            "name": admin.name,
            "email": admin.email,
            "role": "worker",
            "active": "1",
            "unit_id": str(unit.id),
        },
    )
    assert response.status_code == 422
    db.session.refresh(admin)
    assert admin.role == "org_admin"


def test_calendar_feed_is_connected_and_its_status_shown(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    sign_in(staff.user("unit_admin", unit=service.unit))
    url = f"/staff/admin/workers/{pro.id}/feeds"
    assert (
        client.post(
            url, data={"url": "https://cal.example.org/abc/basic.ics", "label": "Outlook"}
        ).status_code
        == 302
    )
    page = client.get(f"/staff/admin/workers/{pro.id}?lang=en").get_data(as_text=True)
    assert "Outlook" in page and "Not read yet" in page
    assert "abc/basic" not in page  # the secret address is masked
    token_page = client.post(f"/staff/admin/workers/{pro.id}/feed-tokens")
    assert token_page.status_code == 200 and "/feeds/" in token_page.get_data(as_text=True)


def test_a_service_form_names_each_wrong_field_and_saves_nothing(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    pro = make.professional(make.service(unit))
    sign_in(staff.user("org_admin", unit=unit))
    wrong = service_form(
        999999,
        pro.id,
        **{
            "slug": "Perhe Neuvola",
            "duration_min": "puoli tuntia",
            "slot_interval_min": "1",
            "name-sv": "",
            "category": "secret",
            "q-0-id": "Aihe?",
            "q-0-options": "school | Koulu",
            "r-1-hours": "many",
        },
    )
    response = client.post("/staff/admin/services/new?lang=en", data=wrong)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for name, message in [
        ("slug", "Use lower-case letters a–z, digits and hyphens."),
        ("duration_min", "Write a whole number."),
        ("slot_interval_min", "Write a number from 5 to 240."),
        ("name-sv", "This is required."),
        ("category", "Choose among the options."),
        ("q-0-id", "Use a unique short name of a–z, digits and _."),
        ("q-0-options", "Write each option on its own line"),
        ("r-1-hours", "Write a whole number."),
        ("unit_id", "Choose among the options."),
    ]:
        assert f'<a href="#{name}">{message}' in page, name
    assert db.session.scalar(select(Service).where(Service.slug == "Perhe Neuvola")) is None


def test_reminder_rows_are_not_read_while_the_default_rule_is_chosen(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    pro = make.professional(make.service(unit))
    sign_in(staff.user("org_admin", unit=unit))
    form = service_form(unit.id, pro.id, reminders="default", **{"r-0-hours": "many"})
    assert client.post("/staff/admin/services/new", data=form).status_code == 302
    service = db.session.scalar(select(Service).where(Service.slug == "perheneuvola"))
    assert service is not None and service.reminder_rules is None


def test_unit_keeps_the_phone_number_and_hours_families_are_given(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    sign_in(staff.user("org_admin", unit=unit))
    names = {"name-fi": "Perhekeskus", "name-sv": "Familjecenter", "name-en": "Family centre"}
    hours = {
        "phone_hours-fi": "ma–pe klo 9–15",
        "phone_hours-sv": "mån–fre kl. 9–15",
        "phone_hours-en": "Mon–Fri 9–15",
    }
    wrong = client.post(
        f"/staff/admin/units/{unit.id}?lang=en", data={**names, **hours, "phone": "12"}
    )
    assert wrong.status_code == 422 and 'id="phone-error"' in wrong.text
    db.session.refresh(unit)
    assert unit.phone is None
    saved = client.post(
        f"/staff/admin/units/{unit.id}", data={**names, **hours, "phone": "016 123 4567"}
    )
    assert saved.status_code == 302
    db.session.refresh(unit)
    assert unit.phone == "+358161234567" and unit.phone_hours == {
        "fi": "ma–pe klo 9–15",
        "sv": "mån–fre kl. 9–15",
        "en": "Mon–Fri 9–15",
    }
    page = client.get(f"/staff/admin/units/{unit.id}?lang=fi").text
    assert 'value="+358161234567"' in page and 'value="ma–pe klo 9–15"' in page
    cleared = client.post(f"/staff/admin/units/{unit.id}", data={**names, "phone": ""})
    assert cleared.status_code == 302
    db.session.refresh(unit)
    assert unit.phone is None and unit.phone_hours is None


def test_a_new_account_can_be_made_with_the_forms_defaults(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    pro = make.professional(make.service(unit=unit))
    sign_in(staff.user("org_admin", unit=unit))
    form = client.get("/staff/admin/accounts/new?lang=fi").text
    chosen = dict(
        re.findall(
            r'<select id="(role|unit_id)"[^>]*>.*?<option value="([^"]*)" selected', form, re.S
        )
    )
    assert chosen == {"role": "worker", "unit_id": str(unit.id)}
    made = client.post(
        "/staff/admin/accounts/new",
        data={"name": "Oletus", "email": "oletus@example.org", "active": "1", **chosen},
    )
    assert made.status_code == 302
    account = db.session.scalar(select(StaffUser).where(StaffUser.email == "oletus@example.org"))
    assert account is not None and (account.role, account.unit_id) == ("worker", unit.id)
    # With no unit chosen, the worker the account is for gives it.
    for_worker = client.post(
        "/staff/admin/accounts/new",
        data={
            "name": "Työntekijä",
            "email": "tyontekija@example.org",
            "role": "worker",
            "unit_id": "",
            "professional_id": str(pro.id),
            "active": "1",
        },
    )
    assert for_worker.status_code == 302
    account = db.session.scalar(
        select(StaffUser).where(StaffUser.email == "tyontekija@example.org")
    )
    assert account is not None and account.unit_id == unit.id


def test_admin_sets_what_the_booking_form_asks_of_the_name(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    """A low-threshold service that promises anonymity asks a nickname, or no name."""
    unit = make.unit()
    pro = make.professional(make.service(unit))
    sign_in(staff.user("org_admin", unit=unit))
    form = service_form(unit.id, pro.id, name_rule="nickname")
    response = client.post("/staff/admin/services/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    service = db.session.scalar(select(Service).where(Service.slug == "perheneuvola"))
    assert service is not None and service.name_rule == "nickname"
    page = client.get(f"/staff/admin/services/{service.id}?lang=en").get_data(as_text=True)
    assert 'id="name_rule-nickname" name="name_rule" value="nickname" checked' in page
    wrong = client.post(f"/staff/admin/services/{service.id}", data={**form, "name_rule": "x"})
    assert wrong.status_code == 422
    db.session.refresh(service)
    assert service.name_rule == "nickname"


def test_a_row_numbered_with_other_digits_is_refused_not_a_crash(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    """ "q-²-id": a superscript two passes ``str.isdigit`` but is no number. The row is not
    one of the form's: the service is saved without it, and nothing fails."""
    unit = make.unit()
    pro = make.professional(make.service(unit))
    sign_in(staff.user("org_admin", unit=unit))
    form = service_form(unit.id, pro.id, **{"q-²-id": "aihe", "q-²-kind": "text"})
    response = client.post("/staff/admin/services/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    service = db.session.scalar(select(Service).where(Service.slug == "perheneuvola"))
    assert service is not None
    assert all(q["id"] != "aihe" for q in service.intake_questions or [])
