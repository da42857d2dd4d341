"""The manage link: see the booking, cancel it with a confirmation, move it."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.kernel import as_utc, now_utc
from scheduler.models import AccessLogEntry, BookingStatus, Organisation
from tests.public.conftest import FAMILY, book, booking_of, next_monday, slot_values


def test_manage_page_shows_the_familys_details_and_logs_the_access(
    client: FlaskClient, demo: Organisation
) -> None:
    token = book(client)
    booking = booking_of(token)
    page = client.get(f"/manage/{token}?lang=en")
    assert page.status_code == 200
    assert FAMILY["name"] in page.text and "+358401234567" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    rows = db.session.scalars(
        select(AccessLogEntry).where(
            AccessLogEntry.target == f"booking:{booking.id}",
            AccessLogEntry.action == "booking.read",
        )
    ).all()
    assert [(r.actor, r.role) for r in rows] == [("client:manage-link", "client")]
    assert rows[0].client_ref is not None


def test_cancelling_asks_first_and_then_cancels(client: FlaskClient, demo: Organisation) -> None:
    token = book(client)
    question = client.get(f"/manage/{token}/cancel?lang=en")
    assert question.status_code == 200
    assert "Yes, cancel the appointment" in question.text
    assert booking_of(token).status == BookingStatus.CONFIRMED
    done = client.post(f"/manage/{token}/cancel", data={"reason": "Sairastuin"})
    assert done.status_code == 303 and done.headers["Location"] == f"/manage/{token}"
    booking = booking_of(token)
    assert booking.status == BookingStatus.CANCELLED
    assert (booking.cancelled_by, booking.cancel_reason) == ("client", "Sairastuin")
    page = client.get(f"/manage/{token}?lang=en")
    assert "This appointment is cancelled." in page.text
    assert "Move to another time" not in page.text
    again = client.get(f"/manage/{token}/cancel?lang=en")
    assert again.status_code == 200 and "This appointment is cancelled." in again.text
    assert "Yes, cancel the appointment" not in again.text
    asked = client.post(f"/manage/{token}/move", data={"start": now_utc().isoformat()})
    assert asked.status_code == 303 and asked.headers["Location"] == f"/manage/{token}"


def test_family_moves_the_time_with_the_same_week_view(
    client: FlaskClient, demo: Organisation
) -> None:
    token = book(client)
    before = booking_of(token)
    old_start, worker = as_utc(before.start_at), before.professional_id
    week = (next_monday() + timedelta(days=7)).isoformat()
    page = client.get(f"/manage/{token}/move?week={week}&lang=en")
    assert page.status_code == 200
    times = slot_values(page.text)
    assert times
    chosen = {"start": times[2], "worker": str(worker)}
    asked = client.post(f"/manage/{token}/move?lang=en", data=chosen)
    assert asked.status_code == 200 and "Move the appointment?" in asked.text
    assert 'name="confirm" value="yes"' in asked.text
    assert as_utc(booking_of(token).start_at) == old_start  # nothing moved yet
    moved = client.post(f"/manage/{token}/move", data={**chosen, "confirm": "yes"})
    assert moved.status_code == 303 and moved.headers["Location"] == f"/manage/{token}"
    after = booking_of(token)
    assert as_utc(after.start_at).isoformat() == times[2] != old_start.isoformat()
    assert after.professional_id == worker
    assert after.status == BookingStatus.CONFIRMED
    assert "Your appointment was moved." in client.get(f"/manage/{token}?lang=en").text


def test_moving_to_any_worker_takes_a_free_one(client: FlaskClient, demo: Organisation) -> None:
    token = book(client)
    week = (next_monday() + timedelta(days=7)).isoformat()
    page = client.get(f"/manage/{token}/move?week={week}&worker=any")
    times = slot_values(page.text)
    moved = client.post(f"/manage/{token}/move", data={"start": times[-1], "confirm": "yes"})
    assert moved.status_code == 303
    assert as_utc(booking_of(token).start_at).isoformat() == times[-1]


def test_a_wrong_link_is_not_found_and_a_past_one_is_gone(
    client: FlaskClient, demo: Organisation
) -> None:
    assert client.get("/manage/not-a-real-token").status_code == 404
    token = book(client)
    booking = booking_of(token)
    booking.start_at = now_utc() - timedelta(hours=2)
    booking.end_at = now_utc() - timedelta(hours=1)
    booking.block_start_at, booking.block_end_at = booking.start_at, booking.end_at
    db.session.commit()
    gone = client.get(f"/manage/{token}?lang=en")
    assert gone.status_code == 410
    assert "This appointment is over" in gone.text


def test_a_move_or_cancel_sent_twice_is_made_once(client: FlaskClient, demo: Organisation) -> None:
    token = book(client)
    booking = booking_of(token)
    week = (next_monday() + timedelta(days=7)).isoformat()
    times = slot_values(client.get(f"/manage/{token}/move?week={week}&lang=en").text)
    form = {"start": times[2], "worker": str(booking.professional_id), "confirm": "yes"}
    for _ in range(2):
        moved = client.post(f"/manage/{token}/move", data=form)
        assert moved.status_code == 303 and moved.headers["Location"] == f"/manage/{token}"
    assert "Your appointment was moved." in client.get(f"/manage/{token}?lang=en").text
    first = client.post(f"/manage/{token}/cancel", data={"reason": ""})
    assert first.status_code == 303
    assert "Your appointment is cancelled." in client.get(f"/manage/{token}?lang=en").text
    # The second one finds it cancelled and says so, with no error.
    again = client.post(f"/manage/{token}/cancel?lang=en", data={"reason": ""})
    assert again.status_code in (200, 303)
    assert "already cancelled" not in again.text
    after = booking_of(token)
    assert after.sequence == 2  # one move, one cancel
    actions = db.session.scalars(
        select(AccessLogEntry.action).where(
            AccessLogEntry.target == f"booking:{booking.id}",
            AccessLogEntry.action.in_(["booking.reschedule", "booking.cancel"]),
        )
    ).all()
    assert sorted(actions) == ["booking.cancel", "booking.reschedule"]
