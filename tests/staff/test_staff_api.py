"""The staff API does what the staff pages do, with the same access rules: book for a
family, find a time, move and reassign, cancel, series, bulk reassign and closures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, get_args

from flask.testing import FlaskClient
from sqlalchemy import select

from notifications import OutboxMessage
from scheduler.api.staff_schemas import MeetingLanguage
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date
from scheduler.models import AccessLogEntry, Booking, BookingStatus, Closure, Professional, Service
from scheduler.staff.texts import LANGUAGES
from tests.factories import Factories
from tests.staff.api_tokens import issue_token
from tests.staff.conftest import Staff, at_local


def iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def day_of(instant: datetime) -> str:
    return local_date(instant, HELSINKI).isoformat()


def booking_body(pro: Professional, service: Service, when: datetime, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "service_id": service.id,
        "professional_id": pro.id,
        "start_at": iso(when),
        "meeting_mode": "video",
        "client": {"name": "Maija Meikäläinen", "email": "maija@example.org"},
        "language": "sv",
        "meeting_language": "fi",
    }
    body.update(kw)
    return body


def confirmed() -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking).where(Booking.status == BookingStatus.CONFIRMED).order_by(Booking.id)
        )
    )


def templates(booking: Booking) -> list[str]:
    return sorted(
        db.session.scalars(
            select(OutboxMessage.template).where(
                OutboxMessage.group_key == f"booking:{booking.uid}"
            )
        )
    )


def test_a_worker_token_books_a_family_with_the_usual_messages_and_log_rows(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service()
    pro = make.professional(service)
    headers = issue_token(staff, "worker", professional=pro)
    start = at_local(3, 10)
    done = client.post(
        "/api/v1/staff/bookings", json=booking_body(pro, service, start), headers=headers
    )
    assert done.status_code == 201, done.get_json()
    body = done.get_json()
    (booking,) = confirmed()
    assert body["booking"]["id"] == booking.id and body["booking"]["booked_by_staff"]
    assert body["manage_url"].endswith("/manage/" + body["manage_token"])
    assert (booking.language, booking.meeting_language) == ("sv", "fi")
    assert "confirmation" in templates(booking) and "reminder" in templates(booking)
    created = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.action == "booking.create")
    ).one()
    assert "api-token:" in created.actor and created.role == "worker"
    call = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.action == "api.call")
    ).one()
    assert call.target == "POST /api/v1/staff/bookings" and "Integration worker" in call.actor


def test_no_messages_and_an_identity_checked_in_person(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service(requires_strong_id=True)
    pro = make.professional(service)
    headers = issue_token(staff, "worker", professional=pro)
    start = at_local(3, 10)
    body = booking_body(pro, service, start, send_messages=False, client={"name": "Maija"})
    unchecked = client.post("/api/v1/staff/bookings", json=body, headers=headers)
    assert unchecked.status_code == 422 and confirmed() == []
    body["identity_check"] = "passport"
    checked = client.post("/api/v1/staff/bookings", json=body, headers=headers)
    assert checked.status_code == 201, checked.get_json()
    (booking,) = confirmed()
    assert booking.identity_check == "passport" and "confirmation" not in templates(booking)


def test_a_worker_token_books_only_its_own_time_and_a_unit_admin_its_units(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service()
    pro, colleague = make.professional(service), make.professional(service)
    stranger = make.professional(make.service())
    start = at_local(3, 10)
    worker = issue_token(staff, "worker", professional=pro)
    url = "/api/v1/staff/bookings"
    assert (
        client.post(url, json=booking_body(colleague, service, start), headers=worker).status_code
        == 403
    )
    assert (
        client.post(url, json=booking_body(stranger, service, start), headers=worker).status_code
        == 404
    )
    other_unit = make.unit(service.unit.organisation)
    admin_elsewhere = issue_token(staff, "unit_admin", unit=other_unit)
    answer = client.post(url, json=booking_body(colleague, service, start), headers=admin_elsewhere)
    assert answer.status_code == 403
    assert confirmed() == []
    unit_admin = issue_token(staff, "unit_admin", unit=service.unit)
    answer = client.post(url, json=booking_body(colleague, service, start), headers=unit_admin)
    assert answer.status_code == 201
    assert [b.professional_id for b in confirmed()] == [colleague.id]


def test_an_override_outside_hours_books_only_when_said_and_never_over_another(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service()
    pro = make.professional(service)
    headers = issue_token(staff, "worker", professional=pro)
    evening = at_local(3, 18)
    url = "/api/v1/staff/bookings"
    refused = client.post(url, json=booking_body(pro, service, evening), headers=headers)
    assert refused.status_code == 409
    body = booking_body(pro, service, evening, outside_hours=True)
    assert client.post(url, json=body, headers=headers).status_code == 201
    overlapping = booking_body(pro, service, evening + timedelta(minutes=15), outside_hours=True)
    assert client.post(url, json=overlapping, headers=headers).status_code == 409
    (booking,) = confirmed()
    assert booking.outside_hours


def test_find_a_time_answers_for_the_unit(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service(meeting_modes=["video", "phone"])
    sv_pro = make.professional(service, languages=["fi", "sv"], name="Svensktalande")
    make.professional(service, languages=["fi"], name="Finsktalande")
    headers = issue_token(staff, "unit_admin", unit=service.unit)
    day = day_of(at_local(3, 10))
    answer = client.get(
        f"/api/v1/staff/find?date={day}&part=afternoon&language=sv&mode=video", headers=headers
    )
    assert answer.status_code == 200, answer.get_json()
    times = answer.get_json()["times"]
    assert times and {t["professional"]["id"] for t in times} == {sv_pro.id}
    assert all(t["may_book"] for t in times)
    hours = {datetime.fromisoformat(t["start_at"]).astimezone(HELSINKI).hour for t in times}
    assert hours <= {12, 13, 14, 15}
    assert client.get("/api/v1/staff/find?part=night", headers=headers).status_code == 422
    week = client.get(f"/api/v1/staff/find?date={day}&span=week", headers=headers).get_json()
    assert (
        week["to_date"] == (local_date(at_local(3, 10), HELSINKI) + timedelta(days=6)).isoformat()
    )
    assert len({day_of(datetime.fromisoformat(t["start_at"])) for t in week["times"]}) == 7
    other = make.service()
    assert (
        client.get(f"/api/v1/staff/find?service_id={other.id}", headers=headers).status_code == 404
    )


def test_move_and_reassign_a_booking_tell_the_family(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service()
    pro, colleague = make.professional(service), make.professional(service)
    lacking = make.professional(make.service(service.unit))
    booking = staff.booking(service, pro, at_local(3, 10))
    headers = issue_token(staff, "worker", professional=pro)
    url = f"/api/v1/staff/bookings/{booking.id}/move"
    later = at_local(4, 11)
    moved = client.post(url, json={"start_at": iso(later)}, headers=headers)
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["start_at"] == iso(later)
    reassigned = client.post(url, json={"professional_id": colleague.id}, headers=headers)
    assert reassigned.status_code == 200, reassigned.get_json()
    db.session.expire_all()
    assert (booking.professional_id, booking.start_at) == (colleague.id, later)
    assert "changed" in templates(booking)
    refused = client.post(url, json={"professional_id": lacking.id}, headers=headers)
    assert refused.status_code in (403, 404, 409, 422)
    db.session.expire_all()
    assert booking.professional_id == colleague.id
    assert client.post(url, json={}, headers=headers).status_code == 422


def test_a_move_onto_a_closure_is_refused_and_changes_nothing(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(3, 10))
    headers = issue_token(staff, "org_admin", unit=service.unit)
    closed_day = day_of(at_local(5, 10))
    added = client.post(
        "/api/v1/staff/closures",
        json={"day": closed_day, "reason": {"fi": "Koulutus"}},
        headers=headers,
    )
    assert added.status_code == 201, added.get_json()
    moved = client.post(
        f"/api/v1/staff/bookings/{booking.id}/move",
        json={"start_at": iso(at_local(5, 10))},
        headers=headers,
    )
    assert moved.status_code == 409
    db.session.expire_all()
    assert booking.start_at == at_local(3, 10)


def test_cancel_needs_a_reason_and_a_future_booking(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(3, 10))
    headers = issue_token(staff, "worker", professional=pro)
    url = f"/api/v1/staff/bookings/{booking.id}/cancel"
    assert client.post(url, json={"reason": "  "}, headers=headers).status_code == 422
    done = client.post(url, json={"reason": "Työntekijä sairastui"}, headers=headers)
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    assert client.post(url, json={"reason": "Uudestaan"}, headers=headers).status_code == 409


def test_a_series_is_previewed_then_booked_and_announced_once(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service(horizon_days=60)
    pro = make.professional(service)
    first = at_local(2, 10)
    staff.booking(service, pro, first + timedelta(weeks=2))  # the third meeting is taken
    headers = issue_token(staff, "worker", professional=pro)
    body = booking_body(pro, service, first, every_weeks=1, count=4)
    preview = client.post("/api/v1/staff/series/preview", json=body, headers=headers)
    assert preview.status_code == 200, preview.get_json()
    assert [m["free"] for m in preview.get_json()["meetings"]] == [True, True, False, True]
    assert len(confirmed()) == 1  # nothing booked by the preview
    done = client.post("/api/v1/staff/series", json=body, headers=headers)
    assert done.status_code == 201, done.get_json()
    answer = done.get_json()
    assert len(answer["bookings"]) == 3 and len(answer["skipped"]) == 1
    series = [b for b in confirmed() if b.series_id == answer["series_id"]]
    assert len(series) == 3
    confirmations = [t for b in series for t in templates(b) if t.startswith("confirmation")]
    assert len(confirmations) == 1
    beyond = booking_body(pro, service, first, every_weeks=2, count=10)
    refused = client.post("/api/v1/staff/series", json=beyond, headers=headers)
    assert (
        refused.status_code == 422
        and refused.get_json()["error"]["code"] == "series_beyond_horizon"
    )
    both = booking_body(pro, service, first, every_weeks=1, count=3, until=day_of(first))
    assert client.post("/api/v1/staff/series", json=both, headers=headers).status_code == 422


def test_bulk_reassign_previews_then_moves_and_lists_what_to_phone(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service()
    away, colleague = make.professional(service), make.professional(service)
    other_service = make.service(service.unit)
    alone = make.professional(other_service)
    fits = staff.booking(service, away, at_local(3, 9))
    orphan = staff.booking(other_service, alone, at_local(3, 9))
    query = f"professional_id={away.id}&first={day_of(at_local(3, 9))}"
    worker = issue_token(staff, "worker", professional=away)
    assert client.get(f"/api/v1/staff/reassign?{query}", headers=worker).status_code == 403
    headers = issue_token(staff, "unit_admin", unit=service.unit)
    preview = client.get(f"/api/v1/staff/reassign?{query}", headers=headers)
    assert preview.status_code == 200, preview.get_json()
    (proposal,) = preview.get_json()["proposals"]
    assert proposal["professional"]["id"] == colleague.id
    assert proposal["start_at"] == iso(at_local(3, 9))
    done = client.post(
        "/api/v1/staff/reassign",
        json={"professional_id": away.id, "first": day_of(at_local(3, 9))},
        headers=headers,
    )
    assert done.status_code == 200, done.get_json()
    assert [p["booking"]["id"] for p in done.get_json()["moved"]] == [fits.id]
    db.session.expire_all()
    assert fits.professional_id == colleague.id
    # A worker whose service no one else provides: listed for a phone call, with the number.
    lonely = client.post(
        "/api/v1/staff/reassign",
        json={"professional_id": alone.id, "first": day_of(at_local(3, 9))},
        headers=headers,
    ).get_json()
    assert lonely["moved"] == []
    assert [p["booking"]["client_phone"] for p in lonely["not_moved"]] == [orphan.client_phone]
    too_long = {"professional_id": away.id, "first": "2027-01-01", "last": "2027-03-01"}
    assert client.post("/api/v1/staff/reassign", json=too_long, headers=headers).status_code == 422


def test_closures_list_their_bookings_and_follow_the_scope_rules(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = staff.booking(service, pro, at_local(4, 10))
    unit_admin = issue_token(staff, "unit_admin", unit=service.unit)
    day = day_of(at_local(4, 10))
    whole = {"day": day}
    assert client.post("/api/v1/staff/closures", json=whole, headers=unit_admin).status_code == 403
    half = {"unit_id": service.unit_id, "day": day, "start_time": "09:00", "end_time": "12:00"}
    added = client.post("/api/v1/staff/closures", json=half, headers=unit_admin)
    assert added.status_code == 201, added.get_json()
    detail = added.get_json()
    assert [b["id"] for b in detail["bookings"]] == [booking.id]
    # Local wall-clock times, answered as they were given (and as the schema says).
    assert (detail["closure"]["start_time"], detail["closure"]["end_time"]) == ("09:00", "12:00")
    closure_id = detail["closure"]["id"]
    listed = client.get("/api/v1/staff/closures", headers=unit_admin).get_json()
    assert [c["id"] for c in listed["closures"]] == [closure_id]
    read = client.get(f"/api/v1/staff/closures/{closure_id}", headers=unit_admin)
    assert read.status_code == 200
    backwards = {**half, "start_time": "12:00", "end_time": "09:00"}
    assert (
        client.post("/api/v1/staff/closures", json=backwards, headers=unit_admin).status_code == 422
    )
    worker = issue_token(staff, "worker", professional=pro)
    assert client.get("/api/v1/staff/closures", headers=worker).status_code == 403
    removed = client.delete(f"/api/v1/staff/closures/{closure_id}", headers=unit_admin)
    assert removed.status_code == 204
    assert db.session.scalars(select(Closure)).all() == []


def test_a_series_meeting_that_does_not_fit_is_booked_at_another_time_of_the_preview(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service(horizon_days=60)
    pro = make.professional(service)
    first = at_local(2, 10)
    staff.booking(service, pro, first + timedelta(weeks=1))  # the second meeting is taken
    headers = issue_token(staff, "worker", professional=pro)
    body = booking_body(pro, service, first, every_weeks=1, count=3)
    preview = client.post("/api/v1/staff/series/preview", json=body, headers=headers).get_json()
    meetings = preview["meetings"]
    assert [bool(m["choices"]) for m in meetings] == [False, True, False]
    other = meetings[1]["choices"][0]
    taken = {**body, "replacements": [{"meeting": 1, "start_at": iso(first)}]}  # not offered
    refused = client.post("/api/v1/staff/series", json=taken, headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "replacement_taken"
    assert len(confirmed()) == 1  # nothing of the series was booked
    picked = {**body, "replacements": [{"meeting": 1, "start_at": other}]}
    done = client.post("/api/v1/staff/series", json=picked, headers=headers)
    assert done.status_code == 201, done.get_json()
    starts = [b["start_at"] for b in done.get_json()["bookings"]]
    assert len(starts) == 3 and done.get_json()["skipped"] == []
    assert datetime.fromisoformat(starts[1]) == datetime.fromisoformat(other)


def test_messages_to_nothing_but_a_landline_are_refused(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    service = make.service(meeting_modes=["video", "phone"])
    pro = make.professional(service)
    headers = issue_token(staff, "worker", professional=pro)
    landline = {"name": "Maija Meikäläinen", "phone": "09 123 4567"}
    body = booking_body(pro, service, at_local(3, 10), client=landline)
    refused = client.post("/api/v1/staff/bookings", json=body, headers=headers)
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["error"]["code"] == "not_mobile"
    assert confirmed() == []
    quiet = {**body, "meeting_mode": "phone", "send_messages": False}
    assert client.post("/api/v1/staff/bookings", json=quiet, headers=headers).status_code == 201
    assert [b.client_phone for b in confirmed()] == ["+35891234567"]


def test_a_meeting_in_a_sami_language_is_booked_through_the_api_as_at_the_desk(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    """The API takes the same meeting languages as the desk's form (its list is the
    desk's), Sámi included; a code outside them is a 422 that books nothing."""
    service = make.service()
    pro = make.professional(service, languages=["fi", "se"])
    headers = issue_token(staff, "worker", professional=pro)
    wrong = booking_body(pro, service, at_local(3, 10), meeting_language="xx")
    assert client.post("/api/v1/staff/bookings", json=wrong, headers=headers).status_code == 422
    assert confirmed() == []
    body = booking_body(pro, service, at_local(3, 10), language="fi", meeting_language="se")
    done = client.post("/api/v1/staff/bookings", json=body, headers=headers)
    assert done.status_code == 201, done.get_json()
    assert [b.meeting_language for b in confirmed()] == ["se"]
    listed = get_args(MeetingLanguage)
    assert set(listed) == set(LANGUAGES)  # the API's list is the desk's
