"""Staff move a booking (to another time or worker, after confirming) and move a sick
day's bookings to colleagues: each family is told with the new time and a new video link,
the old link stops working, SEQUENCE goes up, and what cannot be moved is listed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import select

from notifications import OutboxMessage
from notifications.rendering import render_email
from notifications.sealing import unseal
from scheduler import booking as ops
from scheduler.booking import reassign
from scheduler.booking.meetings import family_join_link
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, local_date, now_utc
from scheduler.models import Booking, Professional, Service
from scheduler.web.i18n import format_date
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local


def day_of(instant: datetime) -> str:
    return local_date(instant, HELSINKI).isoformat()


def booked(
    make: Factories,
    service: Service,
    start: datetime,
    pro: Professional | None = None,
    **client: str,
) -> Booking:
    """A booking made the family's way (confirmation and reminders queued)."""
    _held, token = ops.hold(service, start, professional_id=pro.id if pro else None)
    details = ops.ClientDetails(
        name=client.get("name", "Maija Meikäläinen"),
        email="maija@example.org",
        phone=client.get("phone", "+358401234567"),
        language=client.get("language", "sv"),
        intake_answers={},
    )
    booking, _manage = ops.confirm(token, details)
    db.session.flush()
    return booking


def pending(booking: Booking) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.group_key == f"booking:{booking.uid}",
                OutboxMessage.status == "pending",
            )
        )
    )


def changed_notices(booking: Booking) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.group_key == f"booking:{booking.uid}",
                OutboxMessage.template == "changed",
            )
        )
    )


def test_a_worker_moves_a_booking_after_confirming_and_the_family_gets_a_new_link(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    booking = booked(make, service, at_local(3, 10))
    old_link = family_join_link(booking)
    sequence = booking.sequence
    sign_in(staff.user("worker", professional=pro))
    new_start = at_local(4, 13)
    choice = f"{new_start.isoformat()}|{pro.id}"
    page = client.get(f"/staff/bookings/{booking.id}/move?date={day_of(new_start)}")
    assert choice in page.get_data(as_text=True)  # the free time is offered
    asked = client.post(
        f"/staff/bookings/{booking.id}/move", data={"date": day_of(new_start), "choice": choice}
    )
    assert asked.status_code == 200 and 'name="confirmed"' in asked.get_data(as_text=True)
    db.session.refresh(booking)
    assert booking.start_at == at_local(3, 10)  # nothing moves before confirming
    done = client.post(
        f"/staff/bookings/{booking.id}/move",
        data={"date": day_of(new_start), "choice": choice, "confirmed": "1"},
    )
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    db.session.expire_all()
    booking = db.session.get(Booking, booking.id)
    assert booking is not None
    assert booking.start_at == new_start and booking.sequence == sequence + 1
    new_link = family_join_link(booking)
    assert new_link and old_link and new_link != old_link
    (notice, *_rest) = changed_notices(booking)
    # The link travels sealed, in the change notice and in the reminders still to go.
    key = current_app.config["SECRET_KEY"]
    assert notice.language == "sv" and notice.context["join_url"] is None
    assert unseal(notice.sealed, key)["join_url"] == new_link
    assert notice.context["invite"]["sequence"] == sequence + 1
    reminders = [m for m in pending(booking) if m.template == "reminder"]
    assert reminders
    assert {unseal(m.sealed, key)["join_url"] for m in reminders} == {new_link}
    assert client.get(old_link[old_link.index("/video/") :]).status_code in (403, 404, 410)


def test_a_move_onto_a_closure_or_a_time_not_offered_is_refused(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    from scheduler.availability import closures
    from scheduler.kernel import now_utc

    service = make.service()
    pro = make.professional(service)
    booking = booked(make, service, at_local(3, 10))
    closed_day = local_date(at_local(4, 10), HELSINKI)
    closures.add_closure(
        service.unit.organisation, None, closed_day, None, None, {}, None, now_utc()
    )
    sign_in(staff.user("worker", professional=pro))
    closed = f"{at_local(4, 10).isoformat()}|{pro.id}"
    response = client.post(
        f"/staff/bookings/{booking.id}/move",
        data={"date": closed_day.isoformat(), "choice": closed, "confirmed": "1"},
    )
    assert response.status_code == 409  # not free: the closure took it
    db.session.refresh(booking)
    assert booking.start_at == at_local(3, 10) and changed_notices(booking) == []


def reassign_url(pro: Professional, start: datetime) -> str:
    day = day_of(start)
    return f"/staff/reassign?professional={pro.id}&first={day}&last={day}"


def test_a_sick_day_is_previewed_then_moved_in_one_go_and_the_rest_listed_with_phones(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    sick = make.professional(service, languages=["fi", "sv"])
    swedish = make.professional(service, languages=["sv"])
    finnish_only_service = make.service(service.unit)
    lonely = make.professional(finnish_only_service, languages=["fi"])
    sick.services.append(finnish_only_service)
    db.session.flush()
    first = booked(make, service, at_local(3, 9), sick, language="sv")
    second = booked(make, service, at_local(3, 11), sick, language="sv")
    # Only the sick worker provides this one besides a worker who does not speak Swedish.
    stuck = booked(
        make, finnish_only_service, at_local(3, 13), sick, language="sv", phone="+358409998877"
    )
    sign_in(staff.user("unit_admin", unit=service.unit))
    preview = client.get(reassign_url(sick, at_local(3, 9)))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert swedish.name in html and "+358409998877" in html
    db.session.expire_all()
    assert {b.professional_id for b in db.session.scalars(select(Booking))} == {sick.id}
    done = client.post(
        "/staff/reassign",
        data={
            "professional": str(sick.id),
            "first": day_of(at_local(3, 9)),
            "last": day_of(at_local(3, 9)),
            "confirmed": "1",
        },
    )
    assert done.status_code == 200
    assert "+358409998877" in done.get_data(as_text=True)
    db.session.expire_all()
    moved = {b.id: b for b in db.session.scalars(select(Booking))}
    assert moved[first.id].professional_id == swedish.id
    assert moved[second.id].professional_id == swedish.id
    assert moved[first.id].start_at == at_local(3, 9)  # the same time, when it fits
    assert moved[stuck.id].professional_id == sick.id
    assert lonely.id not in {b.professional_id for b in moved.values()}
    assert changed_notices(moved[first.id]) and changed_notices(moved[second.id])
    assert changed_notices(moved[stuck.id]) == []


def test_reassign_proposes_a_later_time_when_the_colleague_is_busy(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    sick = make.professional(service)
    colleague = make.professional(service)
    booked(make, service, at_local(3, 10), colleague, language="fi")
    mine = booked(make, service, at_local(3, 10), sick, language="fi")
    sign_in(staff.user("org_admin", unit=service.unit))
    client.post(
        "/staff/reassign",
        data={
            "professional": str(sick.id),
            "first": day_of(at_local(3, 10)),
            "last": day_of(at_local(3, 10)),
            "confirmed": "1",
        },
    )
    db.session.expire_all()
    moved = db.session.get(Booking, mine.id)
    assert moved is not None and moved.professional_id == colleague.id
    assert moved.start_at in (at_local(3, 9, 15), at_local(3, 10, 45))  # the nearest free


def test_a_worker_cannot_reassign_and_a_unit_admin_only_their_units(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    service = make.service()
    pro = make.professional(service)
    other = make.professional(make.service(make.unit(service.unit.organisation)))
    sign_in(staff.user("worker", professional=pro))
    assert client.get(reassign_url(pro, at_local(3, 9))).status_code == 403
    sign_in(staff.user("unit_admin", unit=service.unit))
    assert client.get(reassign_url(other, at_local(3, 9))).status_code == 403


def test_the_worker_a_move_takes_the_meeting_from_is_told_and_the_new_one_too(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    """Moved to a colleague: the colleague gets the "moved" notice, and the worker whose
    meeting it was gets one that it is no longer theirs (with its old time), in their
    language. A move that keeps the worker tells no one it was taken away."""
    service = make.service()
    first = make.professional(service, email="eka@example.org", languages=["sv"])
    second = make.professional(service, email="toka@example.org", languages=["fi"])
    booking = booked(make, service, at_local(3, 10), pro=first)
    sign_in(staff.user("unit_admin", unit=service.unit))
    new_start = at_local(4, 13)
    same = {"date": day_of(new_start), "choice": f"{new_start.isoformat()}|{first.id}"}
    done = client.post(f"/staff/bookings/{booking.id}/move", data={**same, "confirmed": "1"})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]

    def notices(event: str) -> list[tuple[str, str]]:
        return sorted(
            (m.recipient, m.language)
            for m in db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.template == "staff_notice")
            )
            if m.context["event"] == event
        )

    assert notices("released") == []
    later = at_local(5, 13)
    other = {"date": day_of(later), "choice": f"{later.isoformat()}|{second.id}"}
    done = client.post(f"/staff/bookings/{booking.id}/move", data={**other, "confirmed": "1"})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    assert notices("released") == [("eka@example.org", "sv")]
    assert ("toka@example.org", "fi") in notices("moved")
    (released,) = [
        m
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "staff_notice")
        )
        if m.context["event"] == "released"
    ]
    text = render_email("staff_notice", "sv", released.context).text
    assert "är inte längre ditt" in text
    assert format_date(new_start, "sv", HELSINKI) in text  # the time it had with them


def _sick_with_colleague(
    make: Factories, staff: Staff, client: FlaskClient, sign_in
) -> tuple[Booking, Professional, Professional]:
    """The sick worker's 45-minute meeting at 10 (it blocks 10.00–11.00) with a colleague
    added to it, who also provides the service; the sick worker is away that day."""
    service = make.service(buffer_after_min=15)
    sick = make.professional(service)
    added = make.professional(service, name="Pekka Perheneuvoja")
    booking = staff.booking(service, sick, at_local(3, 10))
    booking.block_end_at = booking.end_at + timedelta(minutes=15)
    make.absence(sick, at_local(3, 0), at_local(4, 0))
    sign_in(staff.user("unit_admin", unit=service.unit))
    done = client.post(
        f"/staff/bookings/{booking.id}/people/colleague",
        data={"professional_id": str(added.id)},
    )
    assert done.status_code == 303
    return booking, sick, added


def _proposal(sick: Professional) -> reassign.Proposal:
    day = local_date(at_local(3, 10), HELSINKI)
    (proposal,) = reassign.propose(
        reassign.bookings_of(sick, day, day, now_utc()), sick.id, now_utc()
    )
    return proposal


def _reassign(client: FlaskClient, sick: Professional, confirmed: bool) -> str:
    day = day_of(at_local(3, 10))
    data = {"professional": str(sick.id), "first": day, "last": day}
    if confirmed:
        response = client.post("/staff/reassign", data={**data, "confirmed": "1"})
    else:
        response = client.get("/staff/reassign", query_string=data)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("busy", ["meeting", "absence"])
def test_reassign_proposes_only_a_time_the_added_colleague_is_free(
    client: FlaskClient, make: Factories, staff: Staff, sign_in, busy: str
) -> None:
    booking, sick, added = _sick_with_colleague(make, staff, client, sign_in)
    worker = make.professional(booking.service, name="Anna Psykologi")
    staff.booking(booking.service, worker, at_local(3, 10))  # the worker is free from 10.45
    if busy == "meeting":  # at 10.45 the meeting would overlap the colleague's next one
        staff.booking(booking.service, added, at_local(3, 11))
    else:
        make.absence(added, at_local(3, 11), at_local(3, 12))
    db.session.commit()
    proposal = _proposal(sick)
    # The nearest time both are free: 9.00 (10.45 is nearer, but the colleague is busy).
    assert (proposal.professional, proposal.start) == (worker, at_local(3, 9))
    preview = _reassign(client, sick, confirmed=False)
    assert "Anna Psykologi" in preview and "+358401234567" not in preview

    done = _reassign(client, sick, confirmed=True)
    assert "+358401234567" not in done  # nothing left to call about
    db.session.expire_all()
    moved = db.session.get(Booking, booking.id)
    assert moved is not None
    assert (moved.professional_id, moved.start_at) == (worker.id, at_local(3, 9))
    rows = [row for row in moved.companions if row.professional_id == added.id]
    assert [row.start_at for row in rows] == [at_local(3, 9)]  # the colleague's time moved


def test_reassign_does_not_propose_the_added_colleague_as_the_new_worker(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, sick, added = _sick_with_colleague(make, staff, client, sign_in)
    worker = make.professional(booking.service, name="Anna Psykologi")
    morning = staff.booking(booking.service, worker, at_local(3, 8))
    morning.block_end_at = at_local(3, 12)  # the worker is busy until noon
    db.session.commit()
    proposal = _proposal(sick)
    # The colleague is free at 9.00 and 11.00, but cannot take the meeting over.
    assert (proposal.professional, proposal.start) == (worker, at_local(3, 12))

    _reassign(client, sick, confirmed=True)
    db.session.expire_all()
    moved = db.session.get(Booking, booking.id)
    assert moved is not None
    assert (moved.professional_id, moved.start_at) == (worker.id, at_local(3, 12))
    rows = [row for row in moved.companions if row.professional_id == added.id]
    assert [row.start_at for row in rows] == [at_local(3, 12)]  # still taking part


def test_reassign_gives_no_one_a_time_an_earlier_proposal_takes_the_added_colleague_to(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    booking, sick, added = _sick_with_colleague(make, staff, client, sign_in)
    worker = make.professional(booking.service, name="Anna Psykologi")
    morning = staff.booking(booking.service, worker, at_local(3, 8))
    morning.block_end_at = at_local(3, 12)  # the worker is busy until noon
    later = staff.booking(booking.service, sick, at_local(3, 12, 15))
    db.session.commit()
    day = local_date(at_local(3, 10), HELSINKI)
    first, second = reassign.propose(
        reassign.bookings_of(sick, day, day, now_utc()), sick.id, now_utc()
    )
    assert (first.professional, first.start) == (worker, at_local(3, 12))
    # The colleague is free at 12.15 now, but the first move takes them to 12.00–13.00.
    assert second.start == at_local(3, 13) and second.professional in (worker, added)

    done = _reassign(client, sick, confirmed=True)
    assert "+358401234567" not in done  # both moved
    db.session.expire_all()
    assert db.session.get(Booking, later.id).start_at == at_local(3, 13)
