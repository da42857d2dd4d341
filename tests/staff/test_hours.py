"""The availability editor: weekly hours with a preview of the free times they give,
absences and extra openings, and the guard against orphaning existing bookings."""

from __future__ import annotations

from datetime import date, time, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date, now_utc
from scheduler.models import Absence, ExtraOpening, WeeklyRule
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local


def rules_form(*rows: tuple[int, str, str], **extra: str) -> dict[str, str]:
    data: dict[str, str] = {}
    for i, (weekday, start, end) in enumerate(rows):
        data.update(
            {f"rule-{i}-weekday": str(weekday), f"rule-{i}-start": start, f"rule-{i}-end": end}
        )
    data.update(extra)
    return data


def day_section(text: str, day: date) -> str:
    """The preview's list of one day."""
    start = text.index(f">{day.day}.{day.month}.{day.year}<")
    return text[start : text.index("</ul>", start)]


def saved(pro_id: int) -> list[tuple[int, time, time]]:
    return [
        (r.weekday, r.start_time, r.end_time)
        for r in db.session.scalars(
            select(WeeklyRule)
            .where(WeeklyRule.professional_id == pro_id)
            .order_by(WeeklyRule.weekday)
        )
    ]


def test_live_preview_shows_the_times_unsaved_hours_would_give(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(duration_min=60, slot_interval_min=60)
    pro = make.professional(service, hours=None)
    sign_in(staff.user("worker", professional=pro))
    tomorrow = local_date(now_utc(), HELSINKI) + timedelta(days=1)
    fragment = client.post(
        f"/staff/availability/{pro.id}/preview?lang=fi",
        data=rules_form((tomorrow.weekday(), "13.00", "15.00")),
    )
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    shown = day_section(text, tomorrow)
    assert "klo 13.00" in shown and "klo 14.00" in shown and "klo 15.00" not in shown
    assert saved(pro.id) == []  # only previewed


def test_preview_without_javascript_renders_the_page_with_the_times(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(duration_min=30, slot_interval_min=30)
    pro = make.professional(service, hours=None)
    sign_in(staff.user("worker", professional=pro))
    weekday = (local_date(now_utc(), HELSINKI) + timedelta(days=2)).weekday()
    page = client.post(
        f"/staff/availability/{pro.id}/rules?lang=en",
        data=rules_form((weekday, "9:00", "10:00"), action="preview"),
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "9:00" in text and "9:30" in text
    assert saved(pro.id) == []


def test_preview_leaves_out_times_already_booked(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service(duration_min=60, slot_interval_min=60)
    pro = make.professional(service, hours=None)
    start = at_local(1, 13)
    staff.booking(service, pro, start)
    sign_in(staff.user("worker", professional=pro))
    text = client.post(
        f"/staff/availability/{pro.id}/preview?lang=fi",
        data=rules_form((start.astimezone(HELSINKI).weekday(), "13.00", "15.00")),
    ).get_data(as_text=True)
    booked_day = day_section(text, start.astimezone(HELSINKI).date())
    assert "klo 14.00" in booked_day and "klo 13.00" not in booked_day
    next_week = day_section(text, start.astimezone(HELSINKI).date() + timedelta(days=7))
    assert "klo 13.00" in next_week


def test_saving_replaces_the_weekly_hours(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    pro = make.professional(make.service())
    sign_in(staff.user("worker", professional=pro))
    response = client.post(
        f"/staff/availability/{pro.id}/rules",
        data=rules_form((0, "8.00", "12.00"), (2, "12:30", "16"), action="save"),
    )
    assert response.status_code == 302
    assert saved(pro.id) == [(0, time(8), time(12)), (2, time(12, 30), time(16))]


def test_invalid_rows_are_refused_with_a_message_per_field(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    pro = make.professional(make.service())
    sign_in(staff.user("worker", professional=pro))
    before = saved(pro.id)
    page = client.post(
        f"/staff/availability/{pro.id}/rules?lang=en",
        data=rules_form((0, "12.00", "8.00"), (1, "soon", "16.00"), action="save"),
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "The end must be after the start." in text
    assert "Write a time such as 8.00." in text
    assert 'aria-invalid="true"' in text
    assert saved(pro.id) == before


def test_rows_are_read_whatever_their_numbers_and_odd_ones_change_nothing(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    """Rows are found by their names (``rule-<n>-…``), not by a count sent beside them;
    a row number that is not an ASCII number ("²") or a weekday "²" is no crash."""
    pro = make.professional(make.service())
    sign_in(staff.user("worker", professional=pro))
    rows = {"rule-3-weekday": "4", "rule-3-start": "9", "rule-3-end": "11.30"}
    odd = {"rule-²-weekday": "1", "rule-²-start": "8", "rule-²-end": "9"}
    response = client.post(f"/staff/availability/{pro.id}/rules", data={**rows, **odd})
    assert response.status_code == 302
    assert saved(pro.id) == [(4, time(9), time(11, 30))]
    page = client.post(
        f"/staff/availability/{pro.id}/rules?lang=en",
        data={"rule-0-weekday": "²", "rule-0-start": "8", "rule-0-end": "9"},
    )
    assert page.status_code == 422
    assert "Choose a weekday." in page.get_data(as_text=True)
    assert saved(pro.id) == [(4, time(9), time(11, 30))]


def test_change_that_orphans_a_booking_needs_confirmation(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)  # open 8–16 every day
    start = at_local(2, 14)
    staff.booking(service, pro, start)
    sign_in(staff.user("worker", professional=pro))
    mornings = rules_form(*[(d, "8.00", "12.00") for d in range(7)], action="save")
    refused = client.post(f"/staff/availability/{pro.id}/rules?lang=en", data=mornings)
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "outside the open hours" in text and 'name="confirm_orphans"' in text
    db.session.expire_all()
    assert (0, time(8), time(16)) in saved(pro.id)
    confirmed = client.post(
        f"/staff/availability/{pro.id}/rules", data={**mornings, "confirm_orphans": "1"}
    )
    assert confirmed.status_code == 302
    assert saved(pro.id)[0] == (0, time(8), time(12))


def test_absence_over_a_booking_needs_confirmation(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    start = at_local(3, 10)
    staff.booking(service, pro, start)
    sign_in(staff.user("worker", professional=pro))
    day = start.astimezone(HELSINKI).date().isoformat()
    form = {"start_date": day, "end_date": day, "reason": "koulutus"}
    assert client.post(f"/staff/availability/{pro.id}/absences", data=form).status_code == 409
    assert db.session.scalars(select(Absence)).all() == []
    assert (
        client.post(
            f"/staff/availability/{pro.id}/absences", data={**form, "confirm_orphans": "1"}
        ).status_code
        == 302
    )
    (absence,) = db.session.scalars(select(Absence)).all()
    assert absence.end_at - absence.start_at == timedelta(days=1)


def test_absence_on_a_free_day_is_added_at_once(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    pro = make.professional(make.service())
    sign_in(staff.user("worker", professional=pro))
    day = (local_date(now_utc(), HELSINKI) + timedelta(days=5)).isoformat()
    response = client.post(
        f"/staff/availability/{pro.id}/absences",
        data={"start_date": day, "start_time": "12.00", "end_time": "14.00"},
    )
    assert response.status_code == 302
    (absence,) = db.session.scalars(select(Absence)).all()
    assert absence.end_at - absence.start_at == timedelta(hours=2)


def test_removing_the_opening_that_holds_a_booking_needs_confirmation(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service, hours=None)
    sign_in(staff.user("worker", professional=pro))
    start = at_local(4, 18)
    day = start.astimezone(HELSINKI).date().isoformat()
    assert (
        client.post(
            f"/staff/availability/{pro.id}/openings",
            data={"start_date": day, "start_time": "17.00", "end_time": "20.00"},
        ).status_code
        == 302
    )
    (opening,) = db.session.scalars(select(ExtraOpening)).all()
    staff.booking(service, pro, start)
    db.session.commit()
    url = f"/staff/availability/{pro.id}/openings/{opening.id}/delete"
    assert client.post(url).status_code == 409
    assert client.post(url, data={"confirm_orphans": "1"}).status_code == 302
    assert db.session.scalars(select(ExtraOpening)).all() == []


def test_editor_page_lists_absences_and_openings(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    pro = make.professional(make.service())
    make.absence(pro, at_local(6, 8), at_local(6, 12))
    make.opening(pro, at_local(7, 17), timedelta(hours=1))
    sign_in(staff.user("worker", professional=pro))
    page = client.get(f"/staff/availability/{pro.id}?lang=fi").get_data(as_text=True)
    assert page.count("klo 8.00") >= 1 and "klo 17.00" in page
    assert 'data-preview-url="/staff/availability/' in page
