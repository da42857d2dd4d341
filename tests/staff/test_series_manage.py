"""The family's side of a follow-up series: its manage page lists every meeting, and it
cancels this meeting, or this one and the later ones, after a page that lists every date,
with one notice; the JSON API does the same. Bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from notifications import OutboxMessage
from notifications.models import Status
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, now_utc
from scheduler.models import AccessLogEntry, Booking, BookingStatus
from scheduler.tokens import token_hash
from scheduler.web.i18n import format_date, format_time
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local
from tests.staff.series_helpers import book_a_series, token_of


def _when(booking: Booking, lang: str = "fi") -> str:
    return f"{format_date(booking.start_at, lang, HELSINKI)} {format_time(booking.start_at, lang)}"


def _statuses() -> list[str]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(Booking).where(Booking.series_id.is_not(None)).order_by(Booking.start_at)
    )
    return [b.status for b in rows]


def _family_notices(template: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.template == template, OutboxMessage.recipient == "maija@example.org"
            )
        )
    )


def test_the_manage_page_lists_the_whole_series_with_this_meeting_marked(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    meetings = book_a_series(make, staff, count=4)
    meetings[0].status = BookingStatus.CANCELLED
    db.session.commit()
    page = client.get(f"/manage/{token_of(meetings[1])}?lang=fi")
    assert page.status_code == 200
    html = page.text
    assert "Sarjan kaikki tapaamiset" in html
    for meeting in meetings:
        assert _when(meeting) in html  # "8.12.2026 klo 10.00"
    marked = html.split('<li aria-current="true" class="series-this">')[1].split("</li>")[0]
    assert _when(meetings[1]) in marked and "(tämä aika)" in marked
    assert html.count("series-this") == 1
    assert f"{_when(meetings[0])}: peruttu" in html
    assert f"{_when(meetings[2])}: tulossa" in html
    assert "Peru tämä ja myöhemmät ajat" in html
    english = client.get(f"/manage/{token_of(meetings[3])}?lang=en").text
    assert "All meetings of the series" in english
    assert "Cancel this and the later appointments" not in english  # nothing after the last


def test_cancelling_this_and_the_later_meetings_lists_the_dates_then_tells_once(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    meetings = book_a_series(make, staff, count=4)
    token = token_of(meetings[1])
    asked = client.get(f"/manage/{token}/cancel?scope=following&lang=en")
    assert asked.status_code == 200
    listed = asked.text.split('class="series-list"')[1].split("</ul>")[0]
    assert [_when(m, "en") in listed for m in meetings] == [False, True, True, True]
    assert "Yes, cancel these 3 appointments" in asked.text
    assert _statuses() == ["confirmed"] * 4  # asking changes nothing
    before = len(_family_notices("cancelled"))
    done = client.post(f"/manage/{token}/cancel?scope=following", data={"reason": "Muutto"})
    assert done.status_code == 303 and done.headers["Location"] == f"/manage/{token}"
    assert _statuses() == ["confirmed", "cancelled", "cancelled", "cancelled"]
    notices = _family_notices("cancelled")[before:]
    assert [n.channel for n in notices] == ["email"]  # one notice, not three
    assert len(notices[0].context["series"]) == 3
    assert notices[0].context["series"][0].endswith(_when(meetings[1]))
    staff_notices = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.template == "staff_notice",
            OutboxMessage.context["event"].as_string() == "cancelled",
        )
    ).all()
    assert [len(n.context["series"]) for n in staff_notices] == [3]  # the worker: once too
    reminders = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "reminder")
    ).all()
    cancelled_groups = {f"booking:{m.uid}" for m in meetings[1:]}
    assert all(r.status == Status.CANCELLED for r in reminders if r.group_key in cancelled_groups)
    assert any(
        r.status != Status.CANCELLED
        for r in reminders
        if r.group_key == f"booking:{meetings[0].uid}"
    )
    logged = db.session.scalars(
        select(AccessLogEntry.target).where(AccessLogEntry.action == "booking.cancel")
    ).all()
    assert sorted(logged) == sorted(f"booking:{m.id}" for m in meetings[1:])
    page = client.get(f"/manage/{token}?lang=en").text
    assert "3 appointments were cancelled." in page
    again = client.post(f"/manage/{token}/cancel?scope=following", data={})
    assert again.status_code == 303  # a double submit: the first one did it
    assert len(_family_notices("cancelled")) == before + 1


def test_cancelling_only_this_meeting_leaves_the_others(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    meetings = book_a_series(make, staff, count=3)
    token = token_of(meetings[1])
    assert "Cancel this appointment" in client.get(f"/manage/{token}?lang=en").text
    done = client.post(f"/manage/{token}/cancel?scope=this", data={})
    assert done.status_code == 303
    assert _statuses() == ["confirmed", "cancelled", "confirmed"]


def test_bad_series_cancels_are_refused_and_change_nothing(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    meetings = book_a_series(make, staff, count=3)
    single = staff.booking(meetings[0].service, meetings[0].professional, at_local(5, 14))
    single.manage_token_hash = token_hash("single-booking-manage-token-for-tests")
    db.session.commit()
    alone = "single-booking-manage-token-for-tests"
    assert client.get(f"/manage/{alone}/cancel?scope=following").status_code == 400
    assert client.post(f"/manage/{alone}/cancel?scope=following", data={}).status_code == 400
    token = token_of(meetings[0])
    assert client.post(f"/manage/{token}/cancel?scope=all", data={}).status_code == 400
    api = client.post(f"/api/v1/manage/{alone}/cancel", json={"scope": "following"})
    assert api.status_code == 422 and api.json["error"]["code"] == "not_in_series"
    api = client.post(f"/api/v1/manage/{token}/cancel", json={"scope": "everything"})
    assert api.status_code == 422
    wrong = client.post(
        "/api/v1/manage/not-a-token-of-anything/cancel", json={"scope": "following"}
    )
    assert wrong.status_code == 404
    # A meeting that has already started is not cancelled, nor are the later ones.
    started = meetings[0]
    started.start_at = started.block_start_at = now_utc() - timedelta(minutes=5)
    db.session.commit()
    api = client.post(f"/api/v1/manage/{token}/cancel", json={"scope": "following"})
    assert api.status_code == 409
    assert _statuses() == ["confirmed"] * 3
    db.session.refresh(single)
    assert single.status == BookingStatus.CONFIRMED
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AccessLogEntry)
            .where(AccessLogEntry.action == "booking.cancel")
        )
        == 0
    )


def test_the_api_lists_the_series_and_cancels_the_following_meetings(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    meetings = book_a_series(make, staff, count=3)
    token = token_of(meetings[1])
    shown = client.get(f"/api/v1/manage/{token}").json
    assert [m["state"] for m in shown["series"]] == ["upcoming"] * 3
    assert [m["this"] for m in shown["series"]] == [False, True, False]
    done = client.post(f"/api/v1/manage/{token}/cancel", json={"scope": "following"})
    assert done.status_code == 200, done.text
    assert done.json["status"] == "cancelled"
    assert [m["state"] for m in done.json["series"]] == ["upcoming", "cancelled", "cancelled"]
    assert _statuses() == ["confirmed", "cancelled", "cancelled"]
    assert len([n for n in _family_notices("cancelled") if n.channel == "email"]) == 1
    document = client.get("/api/v1/openapi.json").json
    scope = document["components"]["schemas"]["CancelIn"]["properties"]["scope"]
    assert scope["enum"] == ["this", "following"]
    managed = document["paths"]["/manage/{token}"]["get"]["responses"]["200"]
    refs = [o["$ref"] for o in managed["content"]["application/json"]["schema"]["anyOf"]]
    assert any(ref.endswith("/ManagedOut") for ref in refs)


def test_a_service_whose_appointments_are_cancelled_by_phone_offers_no_cancel_online(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    """Where the service does not let families cancel online, the manage page offers no
    cancel button but the unit's number, and neither the page's cancel (this one or the
    later ones) nor the API's changes anything."""
    meetings = book_a_series(make, staff, count=3)
    service = meetings[0].service
    service.family_cancels = False
    service.unit.phone = "016 123 4567"
    db.session.commit()
    token = token_of(meetings[1])
    page = client.get(f"/manage/{token}?lang=fi").text
    assert f"/manage/{token}/cancel" not in page
    assert "Tämän palvelun aikoja ei peruta verkossa." in page and "016 1234567" in page
    assert "näet tai siirrät aikasi" in page
    refused = client.post(f"/manage/{token}/cancel?lang=fi", data={"scope": "following"})
    assert refused.status_code == 303
    assert client.get(f"/manage/{token}/cancel").status_code == 303
    for body in ({}, {"scope": "following"}):
        answer = client.post(f"/api/v1/manage/{token}/cancel", json=body)
        assert answer.status_code == 403, answer.get_json()
        assert answer.get_json()["error"]["code"] == "cancel_by_phone"
    assert _statuses() == ["confirmed", "confirmed", "confirmed"]
    assert _family_notices("cancelled") == []
    service.family_cancels = True
    db.session.commit()
    assert f"/manage/{token}/cancel" in client.get(f"/manage/{token}").text
