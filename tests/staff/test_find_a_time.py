"""Find a time: one search over the unit's workers by service, language, mode and part of
the day, through the families' free-times entry point; it leads to booking the time."""

from __future__ import annotations

from datetime import time
from urllib.parse import quote

from flask.testing import FlaskClient

from scheduler.kernel import HELSINKI, local_date
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local


def test_the_unit_is_searched_by_language_mode_and_part_of_the_day(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    unit = make.unit()
    video_only = make.service(unit, meeting_modes=["video"])
    phone_only = make.service(unit, meeting_modes=["phone"])
    swedish = make.professional(video_only, name="Svenska Stina", languages=["sv", "fi"])
    finnish = make.professional(video_only, name="Suomi Sanna", languages=["fi"])
    morning_only = make.professional(
        video_only, name="Aamu Aino", languages=["sv"], hours=(time(8), time(11))
    )
    caller = make.professional(phone_only, name="Puhelin Pekka", languages=["sv"])
    elsewhere = make.professional(make.service(), name="Muualla Mikko", languages=["sv"])
    sign_in(staff.user("unit_admin", unit=unit))
    day = local_date(at_local(3, 9), HELSINKI).isoformat()
    page = client.get(f"/staff/find?date={day}&part=afternoon&language=sv&mode=video")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert swedish.name in html
    for absent in (finnish, morning_only, caller, elsewhere):
        assert absent.name not in html, absent.name
    assert "klo 12.00" in html and "klo 11." not in html
    assert f"professional={swedish.id}" in html  # the unit administrator may book it


def test_a_worker_sees_colleagues_times_but_books_only_their_own(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    me = make.professional(service, name="Minä Itse")
    colleague = make.professional(service, name="Kollega Kaisa")
    sign_in(staff.user("worker", professional=me))
    day = local_date(at_local(3, 9), HELSINKI).isoformat()
    html = client.get(f"/staff/find?date={day}&part=morning").get_data(as_text=True)
    assert me.name in html and colleague.name in html
    assert f"professional={me.id}" in html and f"professional={colleague.id}" not in html
    booking_page = client.get(
        f"/staff/book?professional={me.id}&service={service.id}&date={day}"
        f"&start={quote(at_local(3, 9).isoformat())}"
    ).get_data(as_text=True)
    assert f'value="{at_local(3, 9).isoformat()}" checked' in booking_page


def test_holidays_and_closures_leave_no_times_to_find(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    from datetime import date, timedelta

    unit = make.unit(open_on_holidays=False)
    make.professional(make.service(unit, horizon_days=400), name="Joulu Jaana")
    sign_in(staff.user("unit_admin", unit=unit))
    soon = date.today() + timedelta(days=2)
    christmas = date(soon.year if soon <= date(soon.year, 12, 25) else soon.year + 1, 12, 25)
    html = client.get(f"/staff/find?date={christmas.isoformat()}").get_data(as_text=True)
    assert "Joulu Jaana" not in html


def test_bad_search_input_is_refused(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    pro = make.professional(make.service())
    sign_in(staff.user("worker", professional=pro))
    for query in ("date=31.2.", "part=night", "language=xx", "mode=fax", "service=999999"):
        assert client.get(f"/staff/find?{query}").status_code == 422, query


def test_a_week_is_searched_at_once_and_each_time_leads_to_its_own_day(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service, name="Viikko Veera")
    sign_in(staff.user("worker", professional=pro))
    first = at_local(3, 9)
    later = local_date(at_local(5, 9), HELSINKI)  # two working days on, within the week
    query = f"/staff/find?date={local_date(first, HELSINKI).isoformat()}&part=morning"
    one_day = client.get(query).get_data(as_text=True)
    week = client.get(f"{query}&span=week").get_data(as_text=True)
    assert f"date={later.isoformat()}" not in one_day
    assert f"date={later.isoformat()}" in week  # a time of the later day, booked on that day
    assert f"{later.day}.{later.month}.{later.year}" in week  # each time shows its date
    assert client.get(f"{query}&span=month").status_code == 422
